# Ablation of configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py: attention pooling with 4 learnable queries and 4 heads.
_base_ = ['../cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
model = dict(detail=dict(pool=dict(type='cledi.AttentionPool', num_queries=4, num_heads=4)))
