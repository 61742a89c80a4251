# Tiny-ImageNet-200 at 10 % (64x64, ../shared/data/tiny-imagenet; its README): the fast path of cifar10_folder.py.
# Pre-training and kNN bank: `meta/train_10pct.txt` (files 0-49 of each class, 10,000 images, 200 classes); the kNN
# monitor's queries: the val queries `meta/val_queries.txt` (files 50-74 of each class, 5,000 images outside the split);
# `knn_test_dataloader`: the official labelled validation set (`meta/test.txt`, 10,000 images), scored once per final
# configuration.
_base_ = ['views.py', 'loaders.py']
data_root = 'data/tiny-imagenet/'
data_preprocessor = dict(type='cledi.MultiViewPreprocessor', views={{_base_.views_64}}, num_local_views=0)


def cached_list(ann_file, data_prefix):
    """A labelled Tiny-ImageNet list, decoded once into the image cache; items are uint8 tensors."""
    return dict(
        type='cledi.DecodedImageCache',
        dataset=dict(type='CustomDataset', data_root=data_root, ann_file=ann_file, data_prefix=data_prefix,
                     with_label=True),
        pipeline=[dict(type='PackInputs')])


train_dataloader = dict(dataset=cached_list('meta/train_10pct.txt', 'train'))
knn_bank_dataloader = dict(dataset=cached_list('meta/train_10pct.txt', 'train'))
knn_query_dataloader = dict(dataset=cached_list('meta/val_queries.txt', 'train'))
knn_test_dataloader = dict(dataset=cached_list('meta/test.txt', 'test'))
