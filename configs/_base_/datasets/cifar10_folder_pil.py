# CIFAR-10 (32x32) from JPEG class folders, the PIL path: loader workers decode every image every epoch and
# make both views image by image with MMPretrain's transforms (as MMPretrain's MoCo v3 recipe does). The views
# are those of cifar10_folder.py (the fast path, which makes them batched on the device): same recipe, same
# data lists. Swap this file in for cifar10_folder.py to train on this path (tools/benchmarks/engine_speed.py
# compares the two).
# Layout: `data_root/train/<class>/*.jpg`, `data_root/meta/*.txt` (that of ../shared/data/cifar10).
# BYOL-style asymmetric views adapted to 32x32: crop scale 0.2-1 and no Gaussian blur (blurring a 32x32 image
# erases it; solo-learn and the MoCo v3 CIFAR recipes drop it too).
_base_ = ['cifar10_splits.py']
data_root = 'data/cifar10/'
ann_file = 'meta/train.txt'  # 'meta/train_10pct.txt' for the low-data split
img_size = 32

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
data_preprocessor = dict(
    type='SelfSupDataPreprocessor', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
train_pipeline = [
    dict(type='cledi.LoadImageFromFile'),
    dict(type='MultiView', num_views=[1, 1], transforms=[view_pipeline1, view_pipeline2]),
    dict(type='PackInputs'),
]
# labelled lists ("<class>/NNNN.jpg <label>"); the labels are ignored by pre-training
train_dataloader = dict(
    batch_size=128,
    num_workers=2,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='CustomDataset',
        data_root=data_root,
        ann_file=ann_file,
        data_prefix='train',
        with_label=True,
        pipeline=train_pipeline))

# Labelled splits for the kNN monitor (cledi.KNNEvalHook) and tools/knn_eval.py, as in cifar10_folder.py: the
# bank is the pre-training images with their labels, the monitor classifies the val queries (cifar10_splits.py);
# knn_test_dataloader holds the 10,000 test images. No augmentation.
knn_pipeline = [dict(type='cledi.LoadImageFromFile'), dict(type='PackInputs')]


def labelled_folder(ann_file, data_prefix, indices=None):
    return dict(type='CustomDataset', data_root=data_root, ann_file=ann_file, data_prefix=data_prefix,
                with_label=True, indices=indices, pipeline=knn_pipeline)


knn_bank_dataloader = dict(
    batch_size=256,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=labelled_folder(ann_file, 'train'))
knn_query_dataloader = dict(knn_bank_dataloader, dataset=labelled_folder('meta/train.txt', 'train', {{_base_.val_indices}}))
knn_test_dataloader = dict(knn_bank_dataloader, dataset=labelled_folder('meta/test.txt', 'test'))
