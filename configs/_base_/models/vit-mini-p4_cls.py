# An MMPretrain ImageClassifier on the CL-EDI / MoCo v3 ViT-mini patch 4 (32x32). The backbone is loaded
# strictly from a pre-training checkpoint: set model.backbone.init_cfg.checkpoint (None = random init).
# `model.neck.feature` picks the features: 'cls', 'mean' (mean patch token) or 'cls+mean' (then in_channels=256).
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='cledi.ViT',
        arch='mini',
        img_size=32,
        patch_size=4,
        out_type='raw',
        init_cfg=dict(type='Pretrained', checkpoint=None, prefix='backbone.')),
    neck=dict(type='cledi.TokenPool', feature='cls'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=128, loss=dict(type='CrossEntropyLoss')))
