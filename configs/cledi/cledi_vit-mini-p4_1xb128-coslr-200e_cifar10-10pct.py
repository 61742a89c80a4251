# CL-EDI, ViT-mini patch 4, on the low-data CIFAR-10 split (5,000 images = 10 %), fast data path (images decoded
# once, views made on the device), kNN monitor every 10 epochs
# (the runtime's `default_hooks.knn`, on the val queries).
#   python tools/train.py configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py --data-root ../shared/data/cifar10
# MoCo v3 twin: configs/mocov3/mocov3_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py
_base_ = ['../_base_/models/cledi_vit-mini-p4.py', '../_base_/datasets/cifar10_10pct.py',
          '../_base_/schedules/adamw_coslr-200e_cifar.py', '../_base_/cledi_runtime.py']
