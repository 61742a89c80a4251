# MAE (He et al. 2022) through MMPretrain's own classes (MAE, MAEViT, MAEPretrainDecoder, MAEPretrainHead), ViT-mini
# patch 4 at 32 px (the encoder width and depth of the other methods, 64 patches) on the low-data CIFAR-10 split:
# mask ratio 0.75, normalised-pixel L2 loss (MAE's), a light decoder (128-d, 4 blocks, 4 heads: this size's encoder
# width; MAE's ViT-B decoder is 512-d, 8 blocks); AdamW (0.9, 0.95), lr 1.5e-4 per 256 images, weight decay 0.05
# (none on norms, biases, position embedding, CLS and mask tokens), MMPretrain's MAE recipe with its 40-of-400
# warm-up scaled into this file's 200 epochs. One view per image on the PIL path (MMPretrain's RandomResizedCrop
# 0.2-1, bicubic, and flip). Its encoder loads into every evaluation (the kNN features are the unmasked encoder's).
#   python tools/train.py configs/mae/mae_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py --data-root ../shared/data/cifar10
_base_ = ['../_base_/datasets/cifar10_folder_pil.py', '../_base_/schedules/adamw_coslr-200e_cifar.py',
          '../_base_/default_runtime.py']
ann_file = 'meta/train_10pct.txt'
train_pipeline = [
    dict(type='cledi.LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(0.2, 1.0), backend='pillow', interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(ann_file=ann_file, pipeline=train_pipeline))
knn_bank_dataloader = dict(dataset=dict(ann_file=ann_file))
model = dict(
    type='MAE',
    backbone=dict(type='MAEViT', arch=dict(embed_dims=128, num_layers=6, num_heads=4, feedforward_channels=512),
                  img_size=32, patch_size=4, mask_ratio=0.75),
    neck=dict(type='MAEPretrainDecoder', num_patches=64, patch_size=4, in_chans=3, embed_dim=128,
              decoder_embed_dim=128, decoder_depth=4, decoder_num_heads=4, mlp_ratio=4.0),
    head=dict(type='MAEPretrainHead', norm_pix=True, patch_size=4,
              loss=dict(type='PixelReconstructionLoss', criterion='L2')),
    init_cfg=[dict(type='Xavier', layer='Linear', distribution='uniform'),
              dict(type='Constant', layer='LayerNorm', val=1.0, bias=0.0)])
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1.5e-4, betas=(0.9, 0.95), weight_decay=0.05),
    paramwise_cfg=dict(custom_keys={
        'ln': dict(decay_mult=0.0), 'bias': dict(decay_mult=0.0), 'pos_embed': dict(decay_mult=0.),
        'mask_token': dict(decay_mult=0.), 'cls_token': dict(decay_mult=0.)}))
