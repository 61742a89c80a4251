# MoCo v3 baseline with the backbone, data path and schedule of configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10.py
_base_ = ['../_base_/models/mocov3_vit-mini-p4.py', '../_base_/datasets/cifar10_folder.py',
          '../_base_/schedules/adamw_coslr-200e_cifar.py', '../_base_/default_runtime.py']
# pre-training on the training split without the val queries (45,000 images, cifar10_splits.py): the kNN monitor
# scores the val queries against them, so a kept best checkpoint is chosen without the test split
train_dataloader = dict(dataset=dict(dataset=dict(indices={{_base_.train_indices}})))
knn_bank_dataloader = dict(dataset=dict(dataset=dict(indices={{_base_.train_indices}})))
