# Mask R-CNN with a CL-EDI (or MoCo v3) pre-trained ViT-S/16, ViTDet recipe: simple feature pyramid, window
# attention (14x14) with global attention in blocks 2, 5, 8, 11, large-scale jitter at 1024, AdamW lr 1e-4,
# weight decay 0.1, layer-wise lr decay 0.7, drop path 0.1, mixed precision on GPU, 100 epochs (25 x 4 repeats).
#   bash tools/dist_train.sh configs/benchmarks/detection/mask-rcnn_vit-s-p16-simplefpn_16xb4-lsj-100e_coco.py 16 \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/cledi_vit-s/epoch_300.pth
# (a pre-training checkpoint, or its backbone extracted by tools/model_converters/extract_backbone.py)
_base_ = ['mmdet::_base_/models/mask-rcnn_r50_fpn.py', 'mmdet::common/lsj-100e_coco-instance.py']
custom_imports = dict(imports=['cledi.det'], allow_failed_imports=False)
image_size = (1024, 1024)
embed_dims = 384

model = dict(
    data_preprocessor=dict(pad_size_divisor=64),
    backbone=dict(
        _delete_=True,
        type='cledi.ViTDetBackbone',
        arch='small',
        img_size=1024,
        patch_size=16,
        window_size=14,
        global_blocks=(2, 5, 8, 11),
        drop_path_rate=0.1,
        init_cfg=dict(type='Pretrained', checkpoint='work_dirs/cledi_vit-s/epoch_300.pth', prefix='backbone.')),
    neck=dict(_delete_=True, type='cledi.SimpleFPN', in_channels=embed_dims, out_channels=256, in_stride=16))

train_dataloader = dict(batch_size=4, num_workers=4)
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    constructor='cledi.LayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(layer_decay_rate=0.7),
    optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.1),
    clip_grad=None)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=250),
    dict(type='MultiStepLR', begin=0, end=25, by_epoch=True, milestones=[22, 24], gamma=0.1),
]
auto_scale_lr = dict(base_batch_size=64, enable=True)
# tools/train.py switches to AmpOptimWrapper when a GPU is present
amp = 'auto'
# checkpoints written atomically and a NaN loss stopping the run, also under MMDetection's own tools/train.py
default_hooks = dict(checkpoint=dict(backend_args=dict(backend='cledi_atomic')),
                     non_finite=dict(type='cledi.NonFiniteLossHook', max_skips=0))
