# The MoCo v3 baseline (MMPretrain's own MoCoV3) with exactly the backbone, projector and predictor of
# models/cledi_vit-s.py; only the detail module is missing. Comparisons with CL-EDI are like for like.
temperature = 0.2
projector = dict(
    type='NonLinearNeck',
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
    type='MoCoV3',
    base_momentum=0.01,  # MMPretrain's convention: 1 - momentum, i.e. momentum 0.99 -> 1 (cosine)
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
        out_type='cls_token',
        frozen_patch_embed=True),
    neck=projector,
    head=dict(
        type='MoCoV3Head',
        predictor=predictor,
        loss=dict(type='CrossEntropyLoss', loss_weight=2 * temperature),
        temperature=temperature))
# MoCoV3's CosineEMA keeps trainable copies that take no part in the loss graph
find_unused_parameters = True
