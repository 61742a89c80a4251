# Ablation of configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py: lambda = 0: the detail module trains nothing that reaches the backbone (the MoCo v3 loss, same code path).
_base_ = ['../cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
model = dict(detail=dict(loss_weight=0.0))
