# CL-EDI on 25,000 CIFAR-10 images (2,500 of each class), the data-size axis of docs/benchmarks.md (issue 38):
# the regime's config on a nested subset of the training split outside the val queries (cifar10_splits.py);
# the kNN monitor scores the val queries against the subset. MoCo v3 twin:
# configs/mocov3/mocov3_vit-mini-p4_1xb128-coslr-200e_cifar10-25k.py
_base_ = ['./cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
train_dataloader = dict(dataset=dict(dataset=dict(ann_file='meta/train.txt', indices={{_base_.train_25k_indices}})))
knn_bank_dataloader = dict(dataset=dict(dataset=dict(ann_file='meta/train.txt', indices={{_base_.train_25k_indices}})))
