# MoCo v3 baseline (MMPretrain's MoCoV3) with the backbone, data and schedule of configs/cledi_vit-s.py.
_base_ = ['../_base_/models/mocov3_vit-s.py', '../_base_/datasets/imagenet_mocov3.py',
          '../_base_/schedules/adamw_coslr-300e.py', '../_base_/default_runtime.py']
# an epoch of ImageNet-sized data is long: a checkpoint after every one
default_hooks = dict(checkpoint=dict(interval=1))
