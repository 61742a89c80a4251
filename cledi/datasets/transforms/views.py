"""The views of the pre-training recipe on the PIL path, from the same view dicts as the fast path.

A view is described once, as the keyword arguments of ``cledi.models.data_preprocessors.ViewAugmentation`` (size,
crop scale and ratio, flip, colour jitter, grayscale, blur, solarize); the fast path makes it batched on the
device, and :func:`RecipeViews` makes the same recipe image by image with MMPretrain's transforms in the loader
workers, so a config states its recipe once for both paths and every resolution.
"""
from typing import Optional, Sequence

from cledi.registry import TRANSFORMS
from cledi.utils.view_recipe import ViewRecipe

GRAYSCALE_WEIGHTS = (0.114, 0.587, 0.2989)  # BGR, as MMCV decodes


def pil_view_pipeline(**recipe) -> list:
    """One view's MMPretrain transforms (the :class:`~cledi.utils.view_recipe.ViewRecipe` keys), in the order of
    the fast path's ``ViewAugmentation``: crop, jitter, grayscale, blur, solarize, flip. (``blur_kernel`` is the
    fast path's; MMPretrain's blur picks its own radius.)"""
    view = ViewRecipe(**recipe)
    pipeline = [dict(type='RandomResizedCrop', scale=view.size, crop_ratio_range=view.crop_scale,
                     aspect_ratio_range=view.crop_ratio, backend='pillow')]
    if view.jitter and view.jitter_prob > 0:
        pipeline.append(dict(type='RandomApply', transforms=[dict(type='cledi.ColorJitter', **view.jitter)],
                             prob=view.jitter_prob))
    if view.grayscale_prob > 0:
        pipeline.append(dict(type='RandomGrayscale', prob=view.grayscale_prob, keep_channels=True,
                             channel_weights=GRAYSCALE_WEIGHTS))
    if view.blur_prob > 0:
        pipeline.append(dict(type='GaussianBlur', magnitude_range=view.blur_sigma, magnitude_std='inf',
                             prob=view.blur_prob))
    if view.solarize_prob > 0:
        pipeline.append(dict(type='Solarize', thr=128, prob=view.solarize_prob))
    if view.flip_prob > 0:
        pipeline.append(dict(type='RandomFlip', prob=view.flip_prob))
    return pipeline


@TRANSFORMS.register_module()
def RecipeViews(views: Sequence[dict], size: Optional[int] = None, local_view: Optional[dict] = None,
                num_local_views: int = 0):
    """MMPretrain's ``MultiView`` making one view per dict of ``views`` (then ``num_local_views`` of
    ``local_view``), each from :func:`pil_view_pipeline`. ``size`` replaces the global views' size (one recipe at
    another resolution)."""
    from mmpretrain.registry import TRANSFORMS as MMPRETRAIN_TRANSFORMS
    views = [dict(view, size=size) if size else dict(view) for view in views]
    if num_local_views:
        views += [dict(local_view)] * num_local_views
    return MMPRETRAIN_TRANSFORMS.build(dict(type='MultiView', num_views=[1] * len(views),
                                            transforms=[pil_view_pipeline(**view) for view in views]))
