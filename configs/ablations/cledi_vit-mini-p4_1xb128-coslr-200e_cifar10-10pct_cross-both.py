# Ablation of configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py: all four cross-level terms (CLS query vs detail key and detail query vs
# CLS key, both directions; lambda_cross 1).
_base_ = ['../cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
model = dict(cross=dict(type='cledi.CrossLevel', loss_weight=1.0, terms='both'))
