# Ablation of configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py: the online detail vector pools a random 4x4 window of the 8x8 patch grid (local-to-global); keys pool all patches.
_base_ = ['../cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
model = dict(detail=dict(local_window=4))
