# MoCo v3 (MMPretrain's MoCoV3) on the shared parts of contrastive_vit-s-p4.py; its CL-EDI twin is cledi_vit-s-p4.py.
_base_ = ['contrastive_vit-s-p4.py']
model = {{_base_.mocov3_algorithm}}
# MoCoV3's CosineEMA keeps trainable copies that take no part in the loss graph (matters under DDP)
find_unused_parameters = True
