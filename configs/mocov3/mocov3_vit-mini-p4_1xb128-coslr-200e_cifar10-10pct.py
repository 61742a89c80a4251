# MoCo v3 baseline with the backbone, data path and schedule of
# configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py
_base_ = ['../_base_/models/mocov3_vit-mini-p4.py', '../_base_/datasets/cifar10_10pct.py',
          '../_base_/schedules/adamw_coslr-200e_cifar.py', '../_base_/default_runtime.py']
