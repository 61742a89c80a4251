# The parts CL-EDI and its MoCo v3 baseline share, defined once: MoCo v3's ViT-S/16 (384-d, 12 layers, 12 heads,
# frozen random patch projection), its projector (3 layers) and predictor (2 layers), temperature 0.2.
# The two algorithms differ only in `cledi_algorithm` / `mocov3_algorithm` below; a model file picks one:
#   _base_ = ['contrastive_vit-s.py']
#   model = {{_base_.cledi_algorithm}}
# Smaller models (contrastive_vit-mini-p4.py, contrastive_vit-s-p4.py) override the widths here, once for both.
# The data preprocessor comes with the data (`data_preprocessor` in configs/_base_/datasets/), as in MMPretrain.
temperature = 0.2
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
    backbone=dict(
        type='cledi.ViT',
        arch='small',
        img_size=224,
        patch_size=16,
        out_type='raw',
        frozen_patch_embed=True),
    neck=projector,
    head=dict(predictor=predictor, temperature=temperature))

# CL-EDI: the global objective (CLS -> projector -> predictor, InfoNCE) plus the detail part (patch tokens ->
# mean pooling -> projector -> predictor, InfoNCE, lambda = 1); the detail projector / predictor take the global
# ones' architecture with their own weights. The teacher's EMA momentum 0.99 -> 1 is set by
# cledi.CosineMomentumHook (configs/_base_/cledi_runtime.py). Without the detail part, cledi.CLEDI is MoCo v3 (for
# any number of views).
mocov3_views_algorithm = dict(type='cledi.CLEDI', teacher=dict(momentum=0.99), head=dict(type='cledi.InfoNCEHead'))
cledi_detail = dict(type='cledi.GlobalDetail', loss_weight=1.0, pool=dict(type='cledi.MeanPool'))
cledi_algorithm = dict(mocov3_views_algorithm, detail=cledi_detail)
# MMPretrain's own MoCoV3: backbone returns the CLS token; `base_momentum` is 1 - momentum in its convention
# (0.01 here is the teacher momentum 0.99 above: 0.99 -> 1, cosine, scheduled by MoCoV3 itself); the loss is
# CE x 2T (MoCo v3's scaling).
mocov3_algorithm = dict(
    type='MoCoV3',
    base_momentum=0.01,
    backbone=dict(out_type='cls_token'),
    head=dict(type='MoCoV3Head', loss=dict(type='CrossEntropyLoss', loss_weight=2 * temperature)))
