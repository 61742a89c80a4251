# Unlabelled pre-training on the images of a detection training split: the 120 Penn-Fudan training photos
# (`data_root/annotations/train.json` lists them; the 50 val images are never seen), random crops at 48x48 with
# the view recipe of the CIFAR configs (views.py; cledi.RecipeViews `size` sets the crop). Pre-training on one's
# own few unlabelled images, then transferring to detection on the same images, is the low-data use case CL-EDI is
# built for. The PIL path: photos of varied sizes, views made image by image in the loader workers.
_base_ = ['views.py', 'loaders.py']
data_root = 'data/pennfudan/'
img_size = 48

data_preprocessor = dict(type='SelfSupDataPreprocessor')
train_pipeline = [
    dict(type='cledi.LoadImageFromFile'),
    dict(type='cledi.RecipeViews', views={{_base_.views}}, size=img_size),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=40,  # 120 images: 3 iterations per epoch
    dataset=dict(type='cledi.CocoImages', data_root=data_root, ann_file='annotations/train.json',
                 data_prefix='images', pipeline=train_pipeline))
# no labelled kNN splits for these photos
knn_bank_dataloader = None
knn_query_dataloader = None
knn_test_dataloader = None
