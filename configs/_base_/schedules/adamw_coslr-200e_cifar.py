# The MoCo v3 recipe scaled to CIFAR-sized runs: 10 warm-up epochs, cosine to 200 epochs.
# tools/benchmarks/*.py shorten it with --epochs (both phases scale together).
_base_ = ['adamw_coslr-300e.py']
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=190, by_epoch=True, begin=10, end=200, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=200)
