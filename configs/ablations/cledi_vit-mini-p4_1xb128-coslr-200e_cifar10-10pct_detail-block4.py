# Ablation of configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py: patch tokens from block 4 of 6 (layer-normed by the aggregator) instead of the last block.
_base_ = ['../cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
model = dict(backbone=dict(out_indices=[3, 5]), detail=dict(out_index=0, pool=dict(norm=True)))
