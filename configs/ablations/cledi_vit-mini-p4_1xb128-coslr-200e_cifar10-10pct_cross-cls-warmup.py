# Ablation of configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py: CLS -> detail cross-level terms, with lambda and lambda_cross warmed up
# linearly over the first half of training.
_base_ = ['../cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py']
model = dict(loss_weight_cross=1.0, cross_terms='cls', detail_warmup=0.5)
