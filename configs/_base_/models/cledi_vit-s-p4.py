# CL-EDI with MoCo v3's ViT-S (384-d, 12 layers, 12 heads) at patch 4 on 32x32 images (64 patch tokens), with
# the ViT-S projector / predictor widths. GPU-sized; its MoCo v3 twin is mocov3_vit-s-p4.py.
_base_ = ['cledi_vit-s.py']
model = dict(backbone=dict(img_size=32, patch_size=4))
