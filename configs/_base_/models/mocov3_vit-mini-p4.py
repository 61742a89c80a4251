# MoCo v3 twin of cledi_vit-mini-p4.py: same ViT-mini patch 4 at 32x32 and MLP widths.
_base_ = ['mocov3_vit-s.py']
model = dict(
    backbone=dict(arch='mini', img_size=32, patch_size=4),
    neck=dict(in_channels=128, hid_channels=1024),
    head=dict(predictor=dict(hid_channels=1024)))
