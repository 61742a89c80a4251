# MoCo v3 (MMPretrain's class) on 25,000 CIFAR-10 images: the twin of
# configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-25k.py
_base_ = ['./mocov3_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
train_dataloader = dict(dataset=dict(dataset=dict(ann_file='meta/train.txt', indices={{_base_.train_25k_indices}})))
knn_bank_dataloader = dict(dataset=dict(dataset=dict(ann_file='meta/train.txt', indices={{_base_.train_25k_indices}})))
