# Ablation of configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py: location-matched region detail, the views' overlap cut into 2x2 regions
# contrasted region by region (pairs overlapping < 20 % of a view fall back to whole-view vectors).
_base_ = ['../cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
model = dict(detail=dict(type='cledi.RegionDetail', grid=2, min_overlap=0.2))
