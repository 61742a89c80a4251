# Ablation of configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py: GeM aggregation of the patch tokens (learnable exponent, initial p = 3).
_base_ = ['../cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
model = dict(detail=dict(pool=dict(type='cledi.GeMPool')))
