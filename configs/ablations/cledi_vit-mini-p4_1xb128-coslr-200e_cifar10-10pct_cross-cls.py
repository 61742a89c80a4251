# Ablation of configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py: cross-level terms, the CLS query of each view against the other view's
# detail key (lambda_cross 1); the detail module's own loss is unchanged.
_base_ = ['../cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
model = dict(cross=dict(type='cledi.CrossLevel', loss_weight=1.0, terms='cls'))
