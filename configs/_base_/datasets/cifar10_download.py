# CIFAR-10 through MMPretrain's own CIFAR10 dataset, which downloads the python batches into `data_root`
# on first use (needs internet). Same views as cifar10_folder.py; images come as arrays, so no loading step.
_base_ = ['cifar10_folder.py']
data_root = 'data/cifar10-download/'
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CIFAR10',
        data_root=data_root,
        split='train',
        download=True,
        pipeline=[
            dict(type='MultiView', num_views=[1, 1], transforms=[{{_base_.view_pipeline1}}, {{_base_.view_pipeline2}}]),
            dict(type='PackInputs'),
        ]))
