# The low-data CIFAR-10 split (`meta/train_10pct.txt`, 5,000 images) on the fast path: pre-training and kNN bank;
# the kNN monitor's queries stay the val images (cifar10_splits.py).
_base_ = ['cifar10_folder.py']
train_dataloader = dict(dataset=dict(dataset=dict(ann_file='meta/train_10pct.txt')))
knn_bank_dataloader = dict(dataset=dict(dataset=dict(ann_file='meta/train_10pct.txt')))
