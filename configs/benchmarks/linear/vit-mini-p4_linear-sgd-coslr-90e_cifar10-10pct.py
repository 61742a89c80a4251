# Linear probe of a pre-trained ViT-mini patch 4 on the labelled low-data CIFAR-10 split (5,000 images),
# top-1 on the 10,000 test images. Frozen backbone (all blocks and the final norm), linear head trained with
# MoCo v3's linear recipe shape: SGD momentum 0.9, no weight decay, cosine schedule.
#   python tools/train.py configs/benchmarks/linear/vit-mini-p4_linear-sgd-coslr-90e_cifar10-10pct.py \
#       --data-root ../shared/data/cifar10 --cfg-options model.backbone.init_cfg.checkpoint=CHECKPOINT.pth
_base_ = ['../../_base_/models/vit-mini-p4_cls.py', '../../_base_/datasets/cifar10_cls.py',
          '../../_base_/schedules/linear_sgd-coslr-90e.py', '../../_base_/default_runtime.py']
model = dict(backbone=dict(frozen_stages=6))
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=10, max_keep_ckpts=1, save_best='auto'))
