# ImageNet-style pre-training data with MoCo v3's BYOL-style asymmetric views (ViT crop scale 0.08-1):
# view 1 always blurred, never solarised; view 2 blurred with p=0.1, solarised with p=0.2.
# `data_root` holds `train/<class>/*.JPEG` (MMPretrain's ImageNet layout; meta/train.txt is used if present).
data_root = 'data/imagenet/'
img_size = 224
crop_ratio_range = (0.08, 1.0)

color_jitter = dict(
    type='RandomApply',
    transforms=[dict(type='cledi.ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)],
    prob=0.8)
grayscale = dict(type='RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989))
view_pipeline1 = [
    dict(type='RandomResizedCrop', scale=img_size, crop_ratio_range=crop_ratio_range, backend='pillow'),
    color_jitter,
    grayscale,
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=1.0),
    dict(type='Solarize', thr=128, prob=0.0),
    dict(type='RandomFlip', prob=0.5),
]
view_pipeline2 = [
    dict(type='RandomResizedCrop', scale=img_size, crop_ratio_range=crop_ratio_range, backend='pillow'),
    color_jitter,
    grayscale,
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.1),
    dict(type='Solarize', thr=128, prob=0.2),
    dict(type='RandomFlip', prob=0.5),
]
# the PIL path: views made image by image in the loader workers
data_preprocessor = dict(
    type='SelfSupDataPreprocessor', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
train_pipeline = [
    dict(type='cledi.LoadImageFromFile'),
    dict(type='MultiView', num_views=[1, 1], transforms=[view_pipeline1, view_pipeline2]),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='ImageNet', data_root=data_root, split='train', pipeline=train_pipeline))
