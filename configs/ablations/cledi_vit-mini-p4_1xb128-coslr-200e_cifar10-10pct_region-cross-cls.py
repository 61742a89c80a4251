# Ablation of configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py: region detail (2x2 regions of the overlap) plus the CLS -> detail
# cross-level terms (lambda_cross 1).
_base_ = ['../cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
model = dict(
    detail=dict(type='cledi.RegionDetail', grid=2), cross=dict(type='cledi.CrossLevel', loss_weight=1.0, terms='cls'))
