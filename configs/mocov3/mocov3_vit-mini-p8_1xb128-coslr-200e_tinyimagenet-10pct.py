# MoCo v3 (MMPretrain's class) with the backbone, data path and schedule of
# configs/cledi/cledi_vit-mini-p8_1xb128-coslr-200e_tinyimagenet-10pct.py
_base_ = ['../_base_/models/mocov3_vit-mini-p4.py', '../_base_/datasets/tinyimagenet_10pct.py',
          '../_base_/schedules/adamw_coslr-200e_cifar.py', '../_base_/default_runtime.py']
model = dict(backbone=dict(img_size=64, patch_size=8))
