# CIFAR-10 (32x32) from JPEG class folders, the fast path: every image is decoded once into a memory-mapped
# uint8 cache (cledi.DecodedImageCache; ~/.cache/cledi/images or $CLEDI_CACHE_DIR), the loader only hands over
# uint8 batches, and cledi.MultiViewPreprocessor makes the views (views.py) batched on the model's device, with each
# view's crop box and flip in the data samples. cifar10_folder_pil.py is the same recipe on the PIL path.
# Layout: `data_root/train/<class>/*.jpg`, `data_root/meta/*.txt` (that of ../shared/data/cifar10).
_base_ = ['cifar10_splits.py', 'views.py', 'loaders.py']
data_root = 'data/cifar10/'

# local views of multi-crop recipes are off here (num_local_views=0)
data_preprocessor = dict(
    type='cledi.MultiViewPreprocessor', views={{_base_.views}}, local_view={{_base_.local_view}}, num_local_views=0)


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
train_dataloader = dict(dataset=cached_folder('meta/train.txt', 'train'))

# Labelled splits for the kNN monitor (cledi.KNNEvalHook) and tools/knn_eval.py, no augmentation: the bank is the
# pre-training images with their labels; the monitor classifies the **val** queries (cifar10_splits.py) by default,
# so a kept `best_knn_*.pth` was chosen without the test split; `knn_test_dataloader` (the 10,000 test images) is
# scored when asked: `tools/knn_eval.py --split test`, or `--cfg-options default_hooks.knn.query_dataloader=
# knn_test_dataloader`.
knn_bank_dataloader = dict(dataset=cached_folder('meta/train.txt', 'train'))
knn_query_dataloader = dict(dataset=cached_folder('meta/train.txt', 'train', {{_base_.val_indices}}))
knn_test_dataloader = dict(dataset=cached_folder('meta/test.txt', 'test'))
