# MoCo v3 (cledi.CLEDI without a detail part) with 2 local views of 16 px covering 20-50 % of the image (the recipe
# search's point p7-mc2-large): the baseline the local-crop detail designs are paired with (they need local views;
# docs/benchmarks.md, screening protocol). Every view's CLS is contrasted with the other global views' momentum keys.
_base_ = ['mocov3-views_vit-mini-p4_1xb128-mc4x16-coslr-200e_cifar10-10pct.py']
data_preprocessor = dict(num_local_views=2, local_view=dict(crop_scale=(0.2, 0.5)))
