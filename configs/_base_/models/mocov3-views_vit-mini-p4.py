# MoCo v3 as cledi.CLEDI without a detail part, on the shared parts of contrastive_vit-mini-p4.py: the same loss as
# MMPretrain's MoCoV3 for two views (tested), and for multi-crop recipes (local views) too, which MoCoV3 lacks.
# Its CL-EDI twin is cledi_vit-mini-p4.py.
_base_ = ['contrastive_vit-mini-p4.py']
model = {{_base_.mocov3_views_algorithm}}
