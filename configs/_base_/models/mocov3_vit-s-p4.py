# MoCo v3 twin of cledi_vit-s-p4.py: ViT-S patch 4 at 32x32, same MLP widths.
_base_ = ['mocov3_vit-s.py']
model = dict(backbone=dict(img_size=32, patch_size=4))
