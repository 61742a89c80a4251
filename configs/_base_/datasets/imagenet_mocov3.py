# ImageNet-style pre-training data with MoCo v3's BYOL-style asymmetric views (views.py, `imagenet_views`: ViT crop
# scale 0.08-1, view 1 always blurred, never solarised; view 2 blurred with p=0.1, solarised with p=0.2).
# `data_root` holds `train/<class>/*.JPEG` (MMPretrain's ImageNet layout; meta/train.txt is used if present).
# The PIL path: views made image by image in the loader workers.
_base_ = ['views.py', 'loaders.py']
data_root = 'data/imagenet/'
img_size = 224

data_preprocessor = dict(type='SelfSupDataPreprocessor')
train_pipeline = [
    dict(type='cledi.LoadImageFromFile'),
    dict(type='cledi.RecipeViews', views={{_base_.imagenet_views}}),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    pin_memory=True,
    dataset=dict(type='ImageNet', data_root=data_root, split='train', pipeline=train_pipeline))
# no labelled kNN splits by default (point knn_*_dataloader at labelled folders to monitor a run)
knn_bank_dataloader = None
knn_query_dataloader = None
knn_test_dataloader = None
