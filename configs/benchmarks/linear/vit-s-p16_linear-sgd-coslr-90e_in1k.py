# Linear probe of a pre-trained ViT-S/16 on ImageNet (MoCo v3 recipe: frozen backbone, CLS features, SGD
# momentum 0.9, lr 0.75 per 256 images of total batch (3.0 at 1024), no weight decay, 90 epochs cosine).
#   bash tools/dist_train.sh configs/benchmarks/linear/vit-s-p16_linear-sgd-coslr-90e_in1k.py 8 \
#       --data-root /data/imagenet --cfg-options model.backbone.init_cfg.checkpoint=CHECKPOINT.pth
_base_ = ['../../_base_/models/vit-mini-p4_cls.py', 'mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py',
          '../../_base_/schedules/linear_sgd-coslr-90e.py', '../../_base_/default_runtime.py']
model = dict(
    backbone=dict(arch='small', img_size=224, patch_size=16, frozen_stages=12),
    head=dict(num_classes=1000, in_channels=384))
optim_wrapper = dict(optimizer=dict(lr=0.75))
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=1, save_best='auto'))
