# CL-EDI with the CPU-sized ViT-mini (128-d, 6 layers, 4 heads), patch 4 at 32x32 (64 patch tokens) and
# 1024-wide projector / predictor MLPs. Its MoCo v3 twin is mocov3_vit-mini-p4.py (tests check they match).
_base_ = ['cledi_vit-s.py']
model = dict(
    backbone=dict(arch='mini', img_size=32, patch_size=4),
    neck=dict(in_channels=128, hid_channels=1024),
    head=dict(predictor=dict(hid_channels=1024)),
    detail_aggregator=dict(in_channels=128),
    detail_neck=dict(in_channels=128, hid_channels=1024),
    detail_head=dict(predictor=dict(hid_channels=1024)))
