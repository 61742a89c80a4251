# CL-EDI, ViT-mini patch 4, on the CIFAR-10 train split less the val queries (45,000 images), fast data path, kNN monitor.
_base_ = ['../_base_/models/cledi_vit-mini-p4.py', '../_base_/datasets/cifar10_folder.py',
          '../_base_/schedules/adamw_coslr-200e_cifar.py', '../_base_/cledi_runtime.py']
# pre-training on the training split without the val queries (45,000 images, cifar10_splits.py): the kNN monitor
# scores the val queries against them, so a kept best checkpoint is chosen without the test split
train_dataloader = dict(dataset=dict(dataset=dict(indices={{_base_.train_indices}})))
knn_bank_dataloader = dict(dataset=dict(dataset=dict(indices={{_base_.train_indices}})))
