# The shared parts at CPU size: ViT-mini (128-d, 6 layers, 4 heads), patch 4 at 32x32 (64 patch tokens),
# 1024-wide projector / predictor MLPs. Model files: cledi_vit-mini-p4.py, mocov3_vit-mini-p4.py.
_base_ = ['contrastive_vit-s.py']
model = dict(
    backbone=dict(arch='mini', img_size=32, patch_size=4),
    neck=dict(in_channels=128, hid_channels=1024),
    head=dict(predictor=dict(hid_channels=1024)))
