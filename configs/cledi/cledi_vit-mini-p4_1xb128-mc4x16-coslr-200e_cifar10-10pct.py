# CL-EDI with multi-crop on the low-data CIFAR-10 split: exactly the recipe of its MoCo v3 twin
# configs/mocov3/mocov3-views_vit-mini-p4_1xb128-mc4x16-coslr-200e_cifar10-10pct.py, plus the default detail part
# (on the two global views).
_base_ = ['../mocov3/mocov3-views_vit-mini-p4_1xb128-mc4x16-coslr-200e_cifar10-10pct.py']
model = dict(detail={{_base_.cledi_detail}})
