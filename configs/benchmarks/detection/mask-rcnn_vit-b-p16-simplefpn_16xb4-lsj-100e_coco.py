# The ViT-B/16 variant of mask-rcnn_vit-s-p16-simplefpn_16xb4-lsj-100e_coco.py (ViTDet: layer decay 0.7,
# drop path 0.1).
_base_ = ['mask-rcnn_vit-s-p16-simplefpn_16xb4-lsj-100e_coco.py']
model = dict(
    backbone=dict(arch='base', init_cfg=dict(checkpoint='work_dirs/cledi_vit-b/epoch_300.pth')),
    neck=dict(in_channels=768))
