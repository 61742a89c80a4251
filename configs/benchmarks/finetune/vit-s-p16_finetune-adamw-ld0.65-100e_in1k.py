# Fine-tuning of a pre-trained ViT-S/16 on ImageNet with layer-wise lr decay 0.65, AdamW lr 5e-4 per 1024
# images of total batch (auto_scale_lr), weight decay 0.05, drop path 0.1, label smoothing 0.1, 5 warm-up + cosine to 100 epochs, the Swin/DeiT augmentation of MMPretrain's base.
_base_ = ['../../_base_/models/vit-mini-p4_cls.py', 'mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py',
          '../../_base_/schedules/finetune_adamw-ld0.65-coslr-100e.py', '../../_base_/default_runtime.py']
model = dict(
    backbone=dict(arch='small', img_size=224, patch_size=16, drop_path_rate=0.1),
    head=dict(num_classes=1000, in_channels=384, loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1,
                                                         mode='original')))
optim_wrapper = dict(optimizer=dict(lr=5e-4))
auto_scale_lr = dict(base_batch_size=1024)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=1, save_best='auto'))
