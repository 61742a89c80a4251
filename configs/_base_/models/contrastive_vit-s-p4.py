# The shared parts with ViT-S at patch 4 on 32x32 images (64 patch tokens), ViT-S projector / predictor widths.
# GPU-sized. Model files: cledi_vit-s-p4.py, mocov3_vit-s-p4.py.
_base_ = ['contrastive_vit-s.py']
model = dict(backbone=dict(img_size=32, patch_size=4))
