# CL-EDI, ViT-mini patch 8 at 64 px (the 64 tokens of 32 px at patch 4: the same cost per image as the CIFAR-10
# regime), on Tiny-ImageNet-200 at 10 % (10,000 images), fast data path, kNN monitor on the val queries.
#   python tools/train.py configs/cledi/cledi_vit-mini-p8_1xb128-coslr-200e_tinyimagenet-10pct.py \
#       --data-root ../shared/data/tiny-imagenet
# MoCo v3 twin: configs/mocov3/mocov3_vit-mini-p8_1xb128-coslr-200e_tinyimagenet-10pct.py
_base_ = ['../_base_/models/cledi_vit-mini-p4.py', '../_base_/datasets/tinyimagenet_10pct.py',
          '../_base_/schedules/adamw_coslr-200e_cifar.py', '../_base_/cledi_runtime.py']
model = dict(backbone=dict(img_size=64, patch_size=8))
