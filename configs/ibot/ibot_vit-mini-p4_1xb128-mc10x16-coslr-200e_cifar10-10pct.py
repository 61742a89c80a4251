# iBOT (Zhou et al. 2022), ViT-mini patch 4, on the low-data CIFAR-10 split: the DINO recipe of
# configs/dino/dino_vit-mini-p4_1xb128-mc10x16-coslr-200e_cifar10-10pct.py plus masked patch self-distillation
# (cledi.MaskedPatchDistill): the student's global views block-masked (half of the images, 10-50 % of their
# patches), their masked patch tokens distilled from the teacher's through the shared projection head (iBOT's
# released recipe), with the patch term's own centre and temperatures (a copy of the CLS head's config), lambda 1.
_base_ = ['../dino/dino_vit-mini-p4_1xb128-mc10x16-coslr-200e_cifar10-10pct.py']
model = dict(detail=dict(type='cledi.MaskedPatchDistill', mask_ratio=(0.1, 0.5), mask_probability=0.5,
                         shared_neck=True, loss_weight=1.0))
