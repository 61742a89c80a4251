# Ablation of configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py: attention pooling with 4 learnable queries and 4 heads.
_base_ = ['../cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
model = dict(detail_aggregator=dict(mode='attn', num_queries=4, num_heads=4))
