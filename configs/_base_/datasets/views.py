# The view recipes, each stated once and used by both data paths (the fast path: cledi.MultiViewPreprocessor;
# the PIL path: cledi.RecipeViews), at any resolution (`size`). The keys are those of
# cledi.models.data_preprocessors.ViewAugmentation.
#
# BYOL-style asymmetric views adapted to small images (CIFAR-10's 32 px, Penn-Fudan crops): crop scale 0.2-1, colour
# jitter, grayscale, no Gaussian blur (blurring a 32x32 image erases it; solo-learn and the MoCo v3 CIFAR recipes drop
# it too), view 2 solarised with p=0.2.
view = dict(
    size=32,
    crop_scale=(0.2, 1.0),
    crop_ratio=(3 / 4, 4 / 3),
    flip_prob=0.5,
    jitter=dict(brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1),
    jitter_prob=0.8,
    grayscale_prob=0.2,
    solarize_prob=0.0)
views = [view, dict(view, solarize_prob=0.2)]
# local views of multi-crop recipes: 16 px crops of 5-40 % of the image with the same photometric recipe
# (DINO's local crops, scaled to 32 px images)
local_view = dict(view, size=16, crop_scale=(0.05, 0.4))
# MoCo v3's ImageNet recipe (ViT): crop scale 0.08-1, view 1 always blurred, view 2 blurred with p=0.1 and
# solarised with p=0.2
imagenet_views = [
    dict(view, size=224, crop_scale=(0.08, 1.0), blur_prob=1.0),
    dict(view, size=224, crop_scale=(0.08, 1.0), blur_prob=0.1, solarize_prob=0.2),
]
# DINO's multi-crop as Gani et al.'s small-data DINO (BMVC 2022, train_ssl.py): two global views of 50-100 % of the
# image and local views of half the size (16 px here) of 20-40 %, with this file's photometric recipe
dino_views = [dict(view, crop_scale=(0.5, 1.0)), dict(view, crop_scale=(0.5, 1.0), solarize_prob=0.2)]
dino_local_view = dict(view, size=16, crop_scale=(0.2, 0.4))
# the same two views at 64 px (Tiny-ImageNet's images), patch 8 giving the 64 tokens of 32 px at patch 4
views_64 = [dict(view, size=64), dict(view, size=64, solarize_prob=0.2)]
