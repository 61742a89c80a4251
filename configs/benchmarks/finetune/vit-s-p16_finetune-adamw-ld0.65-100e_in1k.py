# Fine-tuning of a pre-trained ViT-S/16 on ImageNet with layer-wise lr decay 0.65, AdamW lr 5e-4 per 1024
# images of total batch (auto_scale_lr), weight decay 0.05, drop path 0.1, label smoothing 0.1, 5 warm-up + cosine to 100 epochs, the Swin/DeiT augmentation of MMPretrain's base.
_base_ = [
    '../../_base_/models/vit-mini-p4_cls.py',
    'mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    backbone=dict(arch='small', img_size=224, patch_size=16, drop_path_rate=0.1),
    head=dict(num_classes=1000, in_channels=384, loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1,
                                                         mode='original')))
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='cledi.LayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(layer_decay_rate=0.65),
    optimizer=dict(type='AdamW', lr=5e-4, betas=(0.9, 0.999), weight_decay=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=5, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=95, by_epoch=True, begin=5, end=100, convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=1024, enable=True)
custom_hooks = []
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=1, save_best='auto'))
