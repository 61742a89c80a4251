# Mask R-CNN on Penn-Fudan pedestrians (120 train / 50 val real images, COCO json) with the CPU-sized
# ViT-mini patch 4 of the CIFAR-10 pre-training configs: the model family of the COCO configs (ViTDet-style
# backbone with window attention, simple feature pyramid, layer-wise lr decay) at 192 px, 128-wide heads and a
# short schedule.
#   python tools/train.py configs/benchmarks/detection/mask-rcnn_vit-mini-p4-simplefpn_1xb4-20e_pennfudan.py \
#       --data-root ../shared/data/pennfudan \
#       --cfg-options model.backbone.init_cfg.checkpoint=PRETRAINING_CHECKPOINT.pth
# Without a checkpoint (checkpoint=None below) the backbone starts from random weights.
_base_ = ['mmdet::_base_/models/mask-rcnn_r50_fpn.py', 'mmdet::_base_/default_runtime.py']
custom_imports = dict(imports=['cledi.det'], allow_failed_imports=False)
data_root = 'data/pennfudan/'
image_size = (192, 192)
metainfo = dict(classes=('pedestrian', ), palette=[(220, 20, 60)])

model = dict(
    data_preprocessor=dict(pad_size_divisor=64),
    backbone=dict(
        _delete_=True,
        type='cledi.ViTDetBackbone',
        arch='mini',
        img_size=192,
        patch_size=4,
        window_size=8,
        global_blocks=(2, 5),
        drop_path_rate=0.1,
        init_cfg=dict(type='Pretrained', checkpoint=None, prefix='backbone.')),
    # 128-wide pyramid and heads, 128 sampled RoIs per image: the CPU-sized version of the COCO model
    neck=dict(_delete_=True, type='cledi.SimpleFPN', in_channels=128, out_channels=128, in_stride=4),
    rpn_head=dict(in_channels=128, feat_channels=128),
    # RoIAlign as two matrix products (cledi/det/roi_align.py): the same function as mmcv's kernel, whose CPU
    # backward took ~0.26 s of a ~0.9 s training step of the patch-8 config (0.07 s this way)
    roi_head=dict(
        bbox_roi_extractor=dict(
            type='cledi.RoIExtractor', roi_layer=dict(type='cledi.SeparableRoIAlign'), out_channels=128),
        bbox_head=dict(in_channels=128, fc_out_channels=512, num_classes=1),
        mask_roi_extractor=dict(
            type='cledi.RoIExtractor', roi_layer=dict(type='cledi.SeparableRoIAlign'), out_channels=128),
        mask_head=dict(in_channels=128, conv_out_channels=128, num_classes=1)),
    train_cfg=dict(rcnn=dict(sampler=dict(num=128))))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomResize', scale=image_size, ratio_range=(0.5, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_type='absolute_range', crop_size=image_size, recompute_bbox=True,
         allow_negative_crop=True),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-2, 1e-2)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=image_size, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type='CocoDataset',
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/train.json',
        data_prefix=dict(img='images/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=8),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='CocoDataset',
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/val.json',
        data_prefix=dict(img='images/'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# CocoMetric reads the ground truth itself: keep this path in step with val_dataloader's data_root
# (tools/train.py --data-root updates both)
val_evaluator = dict(type='CocoMetric', ann_file=data_root + 'annotations/val.json', metric=['bbox', 'segm'])
test_evaluator = val_evaluator

optim_wrapper = dict(
    type='OptimWrapper',
    constructor='cledi.LayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(layer_decay_rate=0.75),
    optimizer=dict(type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=0.1))
max_epochs = 20
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', T_max=max_epochs, by_epoch=True, begin=0, end=max_epochs),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=max_epochs)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# checkpoints written atomically and a NaN loss stopping the run, as in the pre-training configs, also under
# MMDetection's own tools/train.py
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1, backend_args=dict(backend='cledi_atomic')),
    non_finite=dict(type='cledi.NonFiniteLossHook', max_skips=0))
auto_scale_lr = dict(base_batch_size=4, enable=False)
amp = 'auto'
