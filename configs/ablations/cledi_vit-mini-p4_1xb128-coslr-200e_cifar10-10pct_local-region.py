# Tied-detail design `local-region` (docs/benchmarks.md, screening protocol): each of the 2 local views of
# configs/mocov3/mocov3-views_vit-mini-p4_1xb128-mc2x16-coslr-200e_cifar10-10pct.py (its baseline) gives a detail
# vector (pooled patch tokens, own projector and predictor), contrasted with the part of each global view it shows
# (the crop boxes and flips of the view maker, pooled from the momentum encoder's patch tokens; ADCLR-like);
# lambda 0.3 after a 20 % warm-up.
_base_ = ['../mocov3/mocov3-views_vit-mini-p4_1xb128-mc2x16-coslr-200e_cifar10-10pct.py']
model = dict(detail=dict(type='cledi.LocalCropDetail', key='region', loss_weight=0.3, warmup=0.2))
