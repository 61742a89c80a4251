# Unlabelled pre-training on the images of a detection training split: the 120 Penn-Fudan training photos
# (`data_root/annotations/train.json` lists them; the 50 val images are never seen), random crops at 48x48 with
# the augmentations of cifar10_folder.py. Pre-training on one's own few unlabelled images, then transferring to
# detection on the same images, is the low-data use case CL-EDI is built for. The view pipelines repeat those of
# cifar10_folder.py: a classic config bakes img_size into its lists, so a child cannot change only the crop size.
data_root = 'data/pennfudan/'
img_size = 48

color_jitter = dict(
    type='RandomApply',
    transforms=[dict(type='cledi.ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)],
    prob=0.8)
grayscale = dict(type='RandomGrayscale', prob=0.2, keep_channels=True, channel_weights=(0.114, 0.587, 0.2989))
view_pipeline1 = [
    dict(type='RandomResizedCrop', scale=img_size, crop_ratio_range=(0.2, 1.0), backend='pillow'),
    color_jitter,
    grayscale,
    dict(type='Solarize', thr=128, prob=0.0),
    dict(type='RandomFlip', prob=0.5),
]
view_pipeline2 = [
    dict(type='RandomResizedCrop', scale=img_size, crop_ratio_range=(0.2, 1.0), backend='pillow'),
    color_jitter,
    grayscale,
    dict(type='Solarize', thr=128, prob=0.2),
    dict(type='RandomFlip', prob=0.5),
]
# the PIL path (photos of varied sizes): views made image by image in the loader workers
data_preprocessor = dict(
    type='SelfSupDataPreprocessor', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
train_pipeline = [
    dict(type='cledi.LoadImageFromFile'),
    dict(type='MultiView', num_views=[1, 1], transforms=[view_pipeline1, view_pipeline2]),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=40,  # 120 images: 3 iterations per epoch
    num_workers=2,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='cledi.CocoImages',
        data_root=data_root,
        ann_file='annotations/train.json',
        data_prefix='images',
        pipeline=train_pipeline))
