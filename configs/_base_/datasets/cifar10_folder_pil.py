# CIFAR-10 (32x32) from JPEG class folders, the PIL path: loader workers decode every image every epoch and make
# the views image by image with MMPretrain's transforms (as MMPretrain's MoCo v3 recipe does), from the same view
# recipe as cifar10_folder.py (the fast path, which makes them batched on the device): views.py, cledi.RecipeViews.
# Swap this file in for cifar10_folder.py to train on this path (tools/benchmarks/engine_speed.py compares them).
# Layout: `data_root/train/<class>/*.jpg`, `data_root/meta/*.txt` (that of ../shared/data/cifar10).
_base_ = ['cifar10_splits.py', 'views.py', 'loaders.py']
data_root = 'data/cifar10/'
ann_file = 'meta/train.txt'  # 'meta/train_10pct.txt' for the low-data split

data_preprocessor = dict(type='SelfSupDataPreprocessor')


def labelled_folder(ann_file, data_prefix, pipeline, indices=None):
    return dict(type='CustomDataset', data_root=data_root, ann_file=ann_file, data_prefix=data_prefix,
                with_label=True, indices=indices, pipeline=pipeline)


# labelled lists ("<class>/NNNN.jpg <label>"); the labels are ignored by pre-training
train_pipeline = [
    dict(type='cledi.LoadImageFromFile'),
    dict(type='cledi.RecipeViews', views={{_base_.views}}),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=labelled_folder(ann_file, 'train', train_pipeline))
# the kNN loaders of cifar10_folder.py (bank, val queries, test images), decoded from the files
knn_pipeline = [dict(type='cledi.LoadImageFromFile'), dict(type='PackInputs')]
knn_bank_dataloader = dict(dataset=labelled_folder(ann_file, 'train', knn_pipeline))
knn_query_dataloader = dict(dataset=labelled_folder('meta/train.txt', 'train', knn_pipeline, {{_base_.val_indices}}))
knn_test_dataloader = dict(dataset=labelled_folder('meta/test.txt', 'test', knn_pipeline))
