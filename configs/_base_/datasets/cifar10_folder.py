# CIFAR-10 (32x32) from JPEG class folders, the fast path: every image is decoded once into a memory-mapped
# uint8 cache (cledi.DecodedImageCache; ~/.cache/cledi/images or $CLEDI_CACHE_DIR), the loader only hands over
# uint8 batches, and cledi.MultiViewPreprocessor makes both views batched on the model's device, with each view's
# crop box and flip in the data samples. cifar10_folder_pil.py is the same recipe on the PIL path.
# Layout: `data_root/train/<class>/*.jpg`, `data_root/meta/*.txt` (that of ../shared/data/cifar10).
# BYOL-style asymmetric views adapted to 32x32: crop scale 0.2-1 and no Gaussian blur (blurring a 32x32 image
# erases it; solo-learn and the MoCo v3 CIFAR recipes drop it too); view 2 solarised with p=0.2.
_base_ = ['cifar10_splits.py']
data_root = 'data/cifar10/'
img_size = 32

view = dict(
    size=img_size,
    crop_scale=(0.2, 1.0),
    crop_ratio=(3 / 4, 4 / 3),
    flip_prob=0.5,
    jitter=dict(brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1),
    jitter_prob=0.8,
    grayscale_prob=0.2,
    solarize_prob=0.0)
# Local views of multi-crop recipes (off here: num_local_views=0): 16 px crops of 5-40 % of the image with the
# photometric recipe of the global views (DINO's local crops, scaled to 32 px images).
local_view = dict(view, size=16, crop_scale=(0.05, 0.4))
data_preprocessor = dict(
    type='cledi.MultiViewPreprocessor',
    views=[view, dict(view, solarize_prob=0.2)],
    local_view=local_view,
    num_local_views=0,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)


def cached_folder(ann_file, data_prefix, indices=None):
    """A labelled CIFAR-10 folder split (optionally a subset of its lines), decoded once into the image cache;
    items are uint8 tensors."""
    return dict(
        type='cledi.DecodedImageCache',
        dataset=dict(
            type='CustomDataset', data_root=data_root, ann_file=ann_file, data_prefix=data_prefix,
            with_label=True, indices=indices),
        pipeline=[dict(type='PackInputs')])


# labelled lists ("<class>/NNNN.jpg <label>"); the labels are ignored by pre-training.
# 'meta/train_10pct.txt' is the low-data split (5,000 images).
train_dataloader = dict(
    batch_size=128,
    num_workers=2,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=cached_folder('meta/train.txt', 'train'))

# Labelled splits for the kNN monitor (cledi.KNNEvalHook) and tools/knn_eval.py, no augmentation: the bank is the
# pre-training images with their labels; the monitor classifies the **val** queries (cifar10_splits.py) by default,
# so a kept `best_knn_*.pth` was chosen without the test split; `knn_test_dataloader` (the 10,000 test images) is
# scored when asked: `tools/knn_eval.py --split test`, or `--cfg-options default_hooks.knn.query_dataloader=
# knn_test_dataloader`.
knn_bank_dataloader = dict(
    batch_size=256,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=cached_folder('meta/train.txt', 'train'))
knn_query_dataloader = dict(knn_bank_dataloader, dataset=cached_folder('meta/train.txt', 'train', {{_base_.val_indices}}))
knn_test_dataloader = dict(knn_bank_dataloader, dataset=cached_folder('meta/test.txt', 'test'))
