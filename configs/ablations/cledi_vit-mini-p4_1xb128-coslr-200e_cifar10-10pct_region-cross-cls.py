# Ablation of configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py: region detail (2x2 regions of the overlap) plus the CLS -> detail
# cross-level terms (lambda_cross 1).
_base_ = ['../cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
model = dict(detail_mode='region', region_grid=2, loss_weight_cross=1.0, cross_terms='cls')
