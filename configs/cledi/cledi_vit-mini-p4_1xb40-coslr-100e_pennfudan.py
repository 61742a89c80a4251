# CL-EDI, ViT-mini patch 4 at 48x48, pre-trained on the 120 unlabelled Penn-Fudan training images for the
# Penn-Fudan detection transfer. The retired tools/benchmarks/pennfudan_transfer.py (commit 2c083a4) ran it at the
# detection config's patch size with a 12-patch crop (patch 8: --cfg-options model.backbone.patch_size=8
# model.backbone.img_size=96 and train_dataloader.dataset.pipeline.1.size=96, the crop of both views).
#   python tools/train.py configs/cledi/cledi_vit-mini-p4_1xb40-coslr-100e_pennfudan.py --data-root ../shared/data/pennfudan
# MoCo v3 twin: configs/mocov3/mocov3_vit-mini-p4_1xb40-coslr-100e_pennfudan.py
_base_ = ['../_base_/models/cledi_vit-mini-p4.py', '../_base_/datasets/pennfudan_images.py',
          '../_base_/schedules/adamw_coslr-200e_cifar.py', '../_base_/cledi_runtime.py']
model = dict(backbone=dict(img_size=48))
# 300 iterations of 40 images: the CIFAR runs' effective lr (3e-4), not the batch-scaled 1.5e-4 x 40 / 256
optim_wrapper = dict(optimizer=dict(lr=3e-4))
auto_scale_lr = dict(enable=False)
default_hooks = dict(logger=dict(interval=15), checkpoint=dict(interval=25, max_keep_ckpts=1))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=90, by_epoch=True, begin=10, end=100, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=100)
