# Fine-tuning: AdamW, layer-wise lr decay 0.65 (cledi.LayerDecayOptimWrapperConstructor asks the backbone for
# each parameter's depth), weight decay 0.05, 5 warm-up epochs + cosine to 100; leaf configs set lr and the
# batch size it refers to (auto_scale_lr).
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
