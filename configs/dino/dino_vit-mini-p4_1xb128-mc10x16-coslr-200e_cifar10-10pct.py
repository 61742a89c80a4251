# DINO, ViT-mini patch 4, on the low-data CIFAR-10 split (5,000 images), fast data path, from Gani et al.'s small-data
# recipe (BMVC 2022) scaled to this size: two 32 px global views of 50-100 % of the image and 10 local views of 16 px
# of 20-40 %; AdamW, lr 5e-4 per 256 images (DINO's), weight decay 0.04 -> 0.4 along a cosine, gradient clipping at
# 3.0, the last layer frozen in the first epoch; warm-up + cosine as the MoCo v3 recipe. The teacher sees the global
# views only. Recipe points on val: docs/benchmarks.md (baselines protocol).
#   python tools/train.py configs/dino/dino_vit-mini-p4_1xb128-mc10x16-coslr-200e_cifar10-10pct.py --data-root ../shared/data/cifar10
_base_ = ['../_base_/models/dino_vit-mini-p4.py', '../_base_/datasets/cifar10_10pct.py',
          '../_base_/schedules/adamw_coslr-200e_cifar.py', '../_base_/cledi_runtime.py']
data_preprocessor = dict(num_local_views=10, views={{_base_.dino_views}}, local_view={{_base_.dino_local_view}})
optim_wrapper = dict(optimizer=dict(lr=5e-4, weight_decay=0.04), clip_grad=dict(max_norm=3.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=190, by_epoch=True, begin=10, end=200, convert_to_iter_based=True),
    dict(type='CosineAnnealingWeightDecay', eta_min=0.4, T_max=200, by_epoch=True, begin=0, end=200,
         convert_to_iter_based=True),
]
custom_hooks = [dict(type='cledi.FreezeLastLayerHook', epochs=1)]
