# CL-EDI, ViT-mini patch 4, on the full CIFAR-10 train split (50,000 images), fast data path, kNN monitor.
_base_ = ['../_base_/models/cledi_vit-mini-p4.py', '../_base_/datasets/cifar10_folder.py',
          '../_base_/schedules/adamw_coslr-200e_cifar.py', '../_base_/cledi_runtime.py']
# pre-training on the whole training split: the val files are pre-training images here, so the monitor reads the
# test split (for watching a run, not for choosing anything)
default_hooks = dict(knn=dict(query_dataloader='knn_test_dataloader'))
