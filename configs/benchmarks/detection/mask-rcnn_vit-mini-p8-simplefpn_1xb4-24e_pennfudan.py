# Mask R-CNN on Penn-Fudan sized so that a 24-epoch fine-tune (720 iterations) trains in about 10 min on 2 CPU
# cores (9.7-11.4 min wall with start-up and the COCO evaluation, as this machine drifted; docs/benchmarks.md):
# ViT-mini patch 8 at 192 px (24x24 tokens instead of patch 4's 48x48; the stride-4 pyramid level comes from one
# 2x deconvolution), 6x6 attention windows, and proposal / RoI sample counts cut to what 1-5 pedestrians per
# image need. Logged time per iteration here: 0.76-0.90 s (fp32, batch 4; 0.92-0.98 s before the separable
# RoIAlign of the base config), against 3.6 s for the patch-4 config.
#   python tools/train.py configs/benchmarks/detection/mask-rcnn_vit-mini-p8-simplefpn_1xb4-24e_pennfudan.py \
#       --data-root ../shared/data/pennfudan \
#       --cfg-options model.backbone.init_cfg.checkpoint=PRETRAINING_CHECKPOINT.pth
# Pre-trained backbones for it: patch 8 at 96x96 on the Penn-Fudan training images
# (the retired tools/benchmarks/pennfudan_transfer.py of commit 2c083a4, its default --pretrain pennfudan).
_base_ = ['./mask-rcnn_vit-mini-p4-simplefpn_1xb4-20e_pennfudan.py']

model = dict(
    backbone=dict(patch_size=8, window_size=6),
    neck=dict(in_stride=8),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=1000, max_per_img=300),
        rcnn=dict(sampler=dict(num=64))))

# lr 1e-3 and no layer decay: chosen on the fit check (random init trained and scored on the 50 val images, 24
# epochs = 312 iterations): lr 2e-4 with layer decay 0.75 (the COCO recipe) 15.1 bbox mAP, this 24.8
# (docs/benchmarks.md, "Penn-Fudan detector: why it could not fit, and the fit check"). One recipe for every
# initialisation.
optim_wrapper = dict(optimizer=dict(lr=1e-3), paramwise_cfg=dict(layer_decay_rate=1.0))
max_epochs = 24
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', T_max=max_epochs, by_epoch=True, begin=0, end=max_epochs),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(checkpoint=dict(interval=max_epochs))
