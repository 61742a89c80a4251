# Full fine-tuning of a pre-trained ViT-mini patch 8 (64 px) on the labelled Tiny-ImageNet-200 10 % split
# (meta/train_10pct.txt, 10,000 images, 50 a class) with the recipe of
# vit-mini-p4_finetune-adamw-ld0.65-100e_cifar10-10pct.py (layer-wise lr decay 0.65, AdamW, drop path 0.1, label
# smoothing 0.1, warm-up + cosine), 200 classes; top-1 on the official labelled validation set (meta/test.txt,
# 10,000 images); the val queries (meta/val_queries.txt) for choosing.
_base_ = ['./vit-mini-p4_finetune-adamw-ld0.65-100e_cifar10-10pct.py']
data_root = 'data/tiny-imagenet/'
model = dict(backbone=dict(img_size=64, patch_size=8), head=dict(num_classes=200))
data_preprocessor = dict(num_classes=200, mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375])
train_dataloader = dict(dataset=dict(
    data_root=data_root, ann_file='meta/train_10pct.txt', data_prefix='train',
    pipeline=[dict(type='cledi.LoadImageFromFile'),
              dict(type='RandomResizedCrop', scale=64, crop_ratio_range=(0.5, 1.0), backend='pillow'),
              dict(type='RandomFlip', prob=0.5), dict(type='PackInputs')]))
val_dataloader = dict(dataset=dict(data_root=data_root, ann_file='meta/test.txt', data_prefix='test'))
test_dataloader = val_dataloader
