# The embedded demo: CL-EDI pre-training of a ViT-nano (64-d, 4 layers) on scikit-learn's handwritten digits
# (1,348 real 8x8 images upscaled to 16x16, shipped inside scikit-learn: no download), patch 4 (16 tokens).
#   python tools/demo.py      (trains with this config, then prints the kNN top-1 on the held-out digits)
# ~2.2 min on a 2-core AVX2-only CPU in float32 (60 epochs, 600 steps): kNN 69.0 % -> 94.2 % there. The size, the
# lr and the length were set (2026-12-07) on the demo's own held-out digits to finish in minutes with a gain as large
# as the former 32 px / 40-epoch demo's (68.6 % -> 93.5 %, 9.9 min on that machine kind): a demo, not a benchmark.
_base_ = ['../_base_/models/cledi_vit-s.py', '../_base_/datasets/loaders.py',
          '../_base_/schedules/adamw_coslr-200e_cifar.py', '../_base_/cledi_runtime.py']
model = dict(
    backbone=dict(arch='nano', img_size=16, patch_size=4),
    neck=dict(in_channels=64, hid_channels=512, out_channels=128),
    head=dict(predictor=dict(in_channels=128, hid_channels=512, out_channels=128)))

# the fast path: the loader hands over uint8 digits, cledi.MultiViewPreprocessor makes both views batched; digits are
# not mirror-symmetric: no flips; grey images: brightness / contrast jitter only, no grayscale
digit_view = dict(size=16, crop_scale=(0.4, 1.0), flip_prob=0.0, jitter=dict(brightness=0.4, contrast=0.4),
                  jitter_prob=0.8, grayscale_prob=0.0)
data_preprocessor = dict(type='cledi.MultiViewPreprocessor', views=[digit_view, digit_view])
train_dataloader = dict(num_workers=0, persistent_workers=False, dataset=dict(
    type='cledi.SklearnDigits', split='train', img_size=16, pipeline=[dict(type='PackInputs')]))
# labelled splits for the kNN check at the end of tools/demo.py: bank = train digits, queries = held-out digits
knn_bank_dataloader = dict(num_workers=0, dataset=dict(
    type='cledi.SklearnDigits', split='train', img_size=16, pipeline=[dict(type='PackInputs')]))
knn_query_dataloader = dict(num_workers=0, dataset=dict(
    type='cledi.SklearnDigits', split='test', img_size=16, pipeline=[dict(type='PackInputs')]))
knn_test_dataloader = None

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=6, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=54, by_epoch=True, begin=6, end=60, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=60)
optim_wrapper = dict(optimizer=dict(lr=3e-3))
auto_scale_lr = dict(enable=False)
# the runtime's kNN monitor runs once, after the last epoch (tools/demo.py prints its own before / after numbers)
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=20), knn=dict(interval=60))
