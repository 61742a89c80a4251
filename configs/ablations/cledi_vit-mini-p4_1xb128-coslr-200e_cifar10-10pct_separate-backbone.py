# Ablation of configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py: a separate ViT for the detail module (the transferred backbone then only sees the global loss).
_base_ = ['../cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
model = dict(detail=dict(backbone={{_base_.model.backbone}}))
