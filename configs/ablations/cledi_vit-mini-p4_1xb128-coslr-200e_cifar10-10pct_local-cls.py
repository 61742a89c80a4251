# Tied-detail design `local-cls` (docs/benchmarks.md, screening protocol): the 2 local views of
# configs/mocov3/mocov3-views_vit-mini-p4_1xb128-mc2x16-coslr-200e_cifar10-10pct.py (its baseline) also give detail
# vectors (their pooled patch tokens, through the CLS projector and predictor), contrasted with the global views'
# CLS momentum keys (DINO's local-to-global contrast on the patches); lambda 0.3 after a 20 % warm-up.
_base_ = ['../mocov3/mocov3-views_vit-mini-p4_1xb128-mc2x16-coslr-200e_cifar10-10pct.py']
model = dict(detail=dict(type='cledi.LocalCropDetail', key='cls', shared_head=True, loss_weight=0.3, warmup=0.2))
