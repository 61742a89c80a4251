# CL-EDI with MoCo v3's ViT-S/16 (384-d, 12 layers, 12 heads) and MoCo v3's projector / predictor sizes.
# Every CL-EDI config derives from this file; smaller models override `backbone.arch`, `img_size`,
# `patch_size` and the in_channels below.
temperature = 0.2
# MoCo v3's projector (3 layers) and predictor (2 layers), used by both modules
projector = dict(
    type='mmpretrain.NonLinearNeck',
    in_channels=384,
    hid_channels=4096,
    out_channels=256,
    num_layers=3,
    with_bias=False,
    with_last_bn=True,
    with_last_bn_affine=False,
    with_last_bias=False,
    with_avg_pool=False)
predictor = dict(projector, in_channels=256, num_layers=2)
model = dict(
    type='cledi.CLEDI',
    base_momentum=0.99,
    loss_weight_detail=1.0,
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(
        type='cledi.ViT',
        arch='small',
        img_size=224,
        patch_size=16,
        out_type='raw',
        frozen_patch_embed=True),
    # global module: CLS -> projector -> predictor
    neck=projector,
    head=dict(type='cledi.InfoNCEHead', temperature=temperature, predictor=predictor),
    # detail module: patch tokens -> aggregator -> projector -> predictor
    detail_aggregator=dict(type='cledi.PatchAggregator', mode='mean', in_channels=384),
    detail_neck=projector,
    detail_head=dict(type='cledi.InfoNCEHead', temperature=temperature, predictor=predictor),
)
