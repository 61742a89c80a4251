# Full fine-tuning of a pre-trained ViT-mini patch 4 on the labelled low-data CIFAR-10 split, with layer-wise
# lr decay 0.65 (cledi.LayerDecayOptimWrapperConstructor asks the backbone for each parameter's depth),
# AdamW lr 1e-3 x batch/256, weight decay 0.05, drop path 0.1, label smoothing 0.1, 5 warm-up epochs + cosine.
_base_ = ['../../_base_/models/vit-mini-p4_cls.py', '../../_base_/datasets/cifar10_cls.py',
          '../../_base_/schedules/finetune_adamw-ld0.65-coslr-100e.py', '../../_base_/default_runtime.py']
model = dict(
    backbone=dict(drop_path_rate=0.1),
    head=dict(loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, mode='original')))
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=10, max_keep_ckpts=1, save_best='auto'))
