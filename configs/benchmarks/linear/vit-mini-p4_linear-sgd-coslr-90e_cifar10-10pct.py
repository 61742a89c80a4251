# Linear probe of a pre-trained ViT-mini patch 4 on the labelled low-data CIFAR-10 split (5,000 images),
# top-1 on the 10,000 test images. Frozen backbone (all blocks and the final norm), linear head trained with
# MoCo v3's linear recipe shape: SGD momentum 0.9, no weight decay, cosine schedule.
#   python tools/train.py configs/benchmarks/linear/vit-mini-p4_linear-sgd-coslr-90e_cifar10-10pct.py \
#       --data-root ../shared/data/cifar10 --cfg-options model.backbone.init_cfg.checkpoint=CHECKPOINT.pth
_base_ = [
    '../../_base_/models/vit-mini-p4_cls.py',
    '../../_base_/datasets/cifar10_cls.py',
    '../../_base_/default_runtime.py',
]
model = dict(backbone=dict(frozen_stages=6))
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=1.0, momentum=0.9, weight_decay=0.0))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=90, by_epoch=True, begin=0, end=90)]
train_cfg = dict(by_epoch=True, max_epochs=90, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256, enable=True)
custom_hooks = []
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=10, max_keep_ckpts=1, save_best='auto'))
