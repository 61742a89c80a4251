# The embedded demo: CL-EDI pre-training of a ViT-nano (64-d, 4 layers) on scikit-learn's handwritten digits
# (1,348 real 8x8 images upscaled to 32x32, shipped inside scikit-learn: no download). ~3 min on 2 CPU cores.
#   python tools/demo.py      (trains with this config, then prints the kNN top-1 on the held-out digits)
_base_ = ['../_base_/models/cledi_vit-s.py', '../_base_/datasets/loaders.py',
          '../_base_/schedules/adamw_coslr-200e_cifar.py', '../_base_/cledi_runtime.py']
model = dict(
    backbone=dict(arch='nano', img_size=32, patch_size=4),
    neck=dict(in_channels=64, hid_channels=512, out_channels=128),
    head=dict(predictor=dict(in_channels=128, hid_channels=512, out_channels=128)))

# the PIL path (1,348 tiny images: the loader is not what limits this run); digits are not mirror-symmetric: no
# flips; grey images: brightness / contrast jitter only, no grayscale
data_preprocessor = dict(type='SelfSupDataPreprocessor')
digit_view = dict(size=32, crop_scale=(0.4, 1.0), flip_prob=0.0, jitter=dict(brightness=0.4, contrast=0.4),
                  jitter_prob=0.8, grayscale_prob=0.0)
train_dataloader = dict(dataset=dict(
    type='cledi.SklearnDigits', split='train',
    pipeline=[dict(type='cledi.RecipeViews', views=[digit_view, digit_view]), dict(type='PackInputs')]))
# labelled splits for the kNN check at the end of tools/demo.py: bank = train digits, queries = held-out digits
knn_bank_dataloader = dict(
    num_workers=0, dataset=dict(type='cledi.SklearnDigits', split='train', pipeline=[dict(type='PackInputs')]))
knn_query_dataloader = dict(
    num_workers=0, dataset=dict(type='cledi.SklearnDigits', split='test', pipeline=[dict(type='PackInputs')]))
knn_test_dataloader = None

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=4, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=36, by_epoch=True, begin=4, end=40, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=40)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
auto_scale_lr = dict(enable=False)
# the runtime's kNN monitor runs once, after the last epoch (tools/demo.py prints its own before / after numbers)
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10), knn=dict(interval=40))
