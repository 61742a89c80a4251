# Full fine-tuning of a pre-trained ViT-mini patch 4 on the labelled low-data CIFAR-10 split, with layer-wise
# lr decay 0.65 (cledi.LayerDecayOptimWrapperConstructor asks the backbone for each parameter's depth),
# AdamW lr 1e-3 x batch/256, weight decay 0.05, drop path 0.1, label smoothing 0.1, 5 warm-up epochs + cosine.
_base_ = [
    '../../_base_/models/vit-mini-p4_cls.py',
    '../../_base_/datasets/cifar10_cls.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    backbone=dict(drop_path_rate=0.1),
    head=dict(loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, mode='original')))
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='cledi.LayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(layer_decay_rate=0.65),
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=5, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=95, by_epoch=True, begin=5, end=100, convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256, enable=True)
custom_hooks = []
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=10, max_keep_ckpts=1, save_best='auto'))
