# MoCo v3 baseline with the backbone, data path and schedule of configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10.py
_base_ = ['../_base_/models/mocov3_vit-mini-p4.py', '../_base_/datasets/cifar10_folder.py',
          '../_base_/schedules/adamw_coslr-200e_cifar.py', '../_base_/default_runtime.py']
# pre-training on the whole training split: the val files are pre-training images here, so the monitor reads the
# test split (for watching a run, not for choosing anything)
default_hooks = dict(knn=dict(query_dataloader='knn_test_dataloader'))
