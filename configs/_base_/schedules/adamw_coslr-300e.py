# MoCo v3 ViT recipe (official code and MMPretrain): AdamW (default betas, decay on all weights), lr 1.5e-4 x total_batch / 256 (auto_scale_lr), weight decay 0.1,
# 40 linear warm-up epochs, cosine to 300 epochs.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=1.5e-4, weight_decay=0.1))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=40, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=260, by_epoch=True, begin=40, end=300, convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=300)
# lr above is for a total batch of 256; the Runner rescales it to the real total batch
auto_scale_lr = dict(base_batch_size=256, enable=True)
