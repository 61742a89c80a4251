# Ablation of configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py: CLS -> detail cross-level terms, with lambda and lambda_cross warmed up
# linearly over the first half of training.
_base_ = ['../cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
model = dict(detail=dict(warmup=0.5), cross=dict(type='cledi.CrossLevel', loss_weight=1.0, terms='cls', warmup=0.5))
