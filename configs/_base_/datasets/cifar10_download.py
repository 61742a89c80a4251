# CIFAR-10 through MMPretrain's own CIFAR10 dataset, which downloads the python batches into `data_root`
# on first use (needs internet). Same views and fast path as cifar10_folder.py: the dataset holds the images as
# decoded arrays already (so no cache), the views are made on the device. Its arrays are RGB (to_rgb=False).
_base_ = ['cifar10_folder.py']
data_root = 'data/cifar10-download/'
data_preprocessor = dict(to_rgb=False)
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CIFAR10',
        data_root=data_root,
        split='train',
        download=True,
        pipeline=[dict(type='PackInputs')]))
# no kNN monitor here: the folder splits of cifar10_folder.py are not downloaded
knn_bank_dataloader = None
knn_query_dataloader = None
knn_test_dataloader = None
