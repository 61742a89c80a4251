"""The augmented views of a batch, made where the batch meets the device (the fast pre-training path)."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import kornia.augmentation as K
import torch
import torch.nn as nn
from kornia.augmentation.random_generator import ResizedCropGenerator
from mmengine.model import BaseDataPreprocessor
from torchvision.ops import roi_align

from cledi.registry import MODELS
from cledi.utils.view_recipe import ViewRecipe


class ViewAugmentation(nn.Module):
    """One view of the BYOL / MoCo v3 recipe, for a whole batch, each image with its own random parameters.

    In the order of the PIL recipe (``configs/_base_/datasets/cifar10_folder_pil.py``): random resized crop ->
    colour jitter (prob ``jitter_prob``) -> grayscale -> Gaussian blur -> solarize -> horizontal flip.

    - Crop: the box is drawn by kornia's ``ResizedCropGenerator`` (torchvision's ``get_params``: 10 tries of
      area in ``crop_scale`` x image area and log-uniform aspect ``crop_ratio``, else the central crop), and cut
      and resized with ``torchvision.ops.roi_align(aligned=True)``: one batched kernel, bilinear when enlarging,
      averaging (anti-aliased, like PIL) when shrinking. The box is returned so that a loss can match locations
      across views.
    - Photometric ops: ``kornia.augmentation`` (``ColorJitter`` applies brightness, contrast, saturation and hue
      in a random order, one order per batch where torchvision draws one per image; ``RandomSolarize`` with
      threshold 0.5, i.e. 128 / 255 as MMPretrain's ``Solarize(thr=128)`` up to rounding).

    Args:
        **recipe: The view's :class:`cledi.utils.view_recipe.ViewRecipe` (``size``, ``crop_scale``,
            ``crop_ratio``, ``flip_prob``, ``jitter``, ``jitter_prob``, ``grayscale_prob``, ``blur_prob``,
            ``blur_sigma``, ``blur_kernel``, ``solarize_prob``).
    """

    def __init__(self, **recipe) -> None:
        super().__init__()
        recipe = ViewRecipe(**recipe)
        self.size = recipe.size
        self.crop_scale = recipe.crop_scale
        self.crop_ratio = recipe.crop_ratio
        self.flip_prob = recipe.flip_prob
        # boxes are drawn on the CPU (a few hundred numbers) and moved to the images' device
        self.box_generator = ResizedCropGenerator((self.size, self.size), self.crop_scale, self.crop_ratio)
        self.box_generator.set_rng_device_and_dtype(torch.device('cpu'), torch.float32)
        ops = []
        if recipe.jitter and recipe.jitter_prob > 0:
            ops.append(K.ColorJitter(**recipe.jitter, p=recipe.jitter_prob))
        if recipe.grayscale_prob > 0:
            ops.append(K.RandomGrayscale(p=recipe.grayscale_prob))
        if recipe.blur_prob > 0:
            kernel = recipe.blur_kernel or (self.size // 10) | 1
            ops.append(K.RandomGaussianBlur((kernel, kernel), recipe.blur_sigma, p=recipe.blur_prob))
        if recipe.solarize_prob > 0:
            ops.append(K.RandomSolarize(thresholds=0.0, additions=0.0, p=recipe.solarize_prob))
        self.photometric = nn.ModuleList(ops)

    def sample_boxes(self, images: torch.Tensor) -> torch.Tensor:
        """Random resized-crop boxes ``(x1, y1, x2, y2)`` in pixel edges of the source images: (B, 4)."""
        corners = self.box_generator(images.shape)['src']  # (B, 4, 2) pixel indices, corners clockwise from top-left
        top_left, bottom_right = corners[:, 0], corners[:, 2]
        return torch.cat([top_left, bottom_right + 1], dim=1).to(images.device)

    def crop(self, images: torch.Tensor, boxes: torch.Tensor, flips: torch.Tensor) -> torch.Tensor:
        """Cut ``boxes`` out of ``images``, resize them to ``size`` and mirror those with ``flips``."""
        rois = torch.cat([torch.arange(len(boxes), device=boxes.device, dtype=boxes.dtype)[:, None], boxes], 1)
        views = roi_align(images, rois, (self.size, self.size), spatial_scale=1.0, sampling_ratio=-1, aligned=True)
        return torch.where(flips[:, None, None, None], views.flip(-1), views)

    def forward(self, images: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(B, 3, H, W) RGB in [0, 1] -> (view (B, 3, size, size) in [0, 1], boxes (B, 4), flips (B,) bool)."""
        boxes = self.sample_boxes(images)
        flips = torch.rand(len(images), device=images.device) < self.flip_prob
        view = self.crop(images, boxes, flips)
        for op in self.photometric:
            view = op(view)
        return view.clamp_(0.0, 1.0), boxes, flips


@MODELS.register_module()
class MultiViewPreprocessor(BaseDataPreprocessor):
    """Makes the augmented views of a uint8 image batch on the device, with their geometry: two global views
    and, for a multi-crop recipe, local views.

    The fast path of cledi's pre-training: the loader only hands over decoded uint8 images (from
    ``cledi.DecodedImageCache``: no JPEG work per epoch, no per-image augmentation in the workers); this
    preprocessor moves the batch to the model's device and there makes every view in a few batched calls
    (:class:`ViewAugmentation`), then normalises them. ``inputs`` becomes ``[global 1, global 2, local 1, ...]``
    (the local views smaller, e.g. 16 px beside 32 px: DINO's / SwAV's multi-crop). Each data sample gets
    ``crop_boxes`` (V, 4): every view's crop box ``(x1, y1, x2, y2)`` in the source image's pixels, and ``flips``
    (V,): whether each view was mirrored after cropping, so a loss can match locations across views.

    The views are drawn from the preprocessor's own random stream, not from the global one: batch ``n`` of a
    run uses the seed ``(base seed, n)``, where the base seed is ``seed`` or, by default, the run's seed (the
    global seed when the model is built; MMEngine sets it before building). So two runs with the same seed see
    the same views batch for batch, whatever their models draw from the global stream (dropout, random windows,
    initialisation of other parts), which is what paired comparisons need; the batch counter is a buffer of the
    model, saved in checkpoints, so a resumed run continues the stream.

    Also accepted, so one config serves both paths and evaluation:

    - views already made by the PIL pipeline (``MultiView``: a list of batches) are only normalised, as
      MMPretrain's ``SelfSupDataPreprocessor`` does;
    - outside training (the kNN monitor, ``tools/knn_eval.py``) a single batch is only normalised.

    Augmentation runs with autocast off (in float32), whatever the optimizer wrapper's precision.

    Args:
        views (Sequence[dict]): Two :class:`ViewAugmentation` configs (global view 1, global view 2).
        mean (Sequence[float]): Per-channel mean in 0-255, RGB order.
        std (Sequence[float]): Per-channel std in 0-255, RGB order.
        local_view (dict, optional): One :class:`ViewAugmentation` config for the local views. Defaults to None.
        num_local_views (int): How many local views per image. Defaults to 0.
        seed (int, optional): Base seed of the view stream. Defaults to None (the run's seed).
        to_rgb (bool): The loader gives BGR (MMCV's decoders); convert to RGB first. Defaults to True.
    """

    def __init__(self,
                 views: Sequence[dict],
                 mean: Sequence[float],
                 std: Sequence[float],
                 local_view: Optional[dict] = None,
                 num_local_views: int = 0,
                 seed: Optional[int] = None,
                 to_rgb: bool = True,
                 non_blocking: bool = False) -> None:
        super().__init__(non_blocking=non_blocking)
        if len(views) != 2:
            raise ValueError(f'{type(self).__name__} needs exactly two global view configs, got {len(views)}')
        if num_local_views < 0 or (num_local_views and local_view is None):
            raise ValueError(f'num_local_views={num_local_views} needs local_view=dict(size=..., ...) and a count >= 0')
        self.views = nn.ModuleList(ViewAugmentation(**view) for view in views)
        self.local_view = None if not num_local_views else ViewAugmentation(**local_view)
        self.num_local_views = num_local_views
        self.seed = torch.initial_seed() if seed is None else seed
        self.register_buffer('batches_drawn', torch.zeros((), dtype=torch.int64))
        self._register_load_state_dict_pre_hook(self._counter_of_older_checkpoints)
        self.to_rgb = to_rgb
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1) / 255, False)
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1) / 255, False)

    def _counter_of_older_checkpoints(self, state_dict, prefix, *args) -> None:
        """Checkpoints written before the view stream had a counter load with the stream at its start."""
        state_dict.setdefault(prefix + 'batches_drawn', torch.zeros((), dtype=torch.int64))

    def _to_unit_rgb(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 (or 0-255 float) (B, 3, H, W), BGR if ``to_rgb`` -> float RGB in [0, 1]."""
        images = images.float() / 255.0
        return images.flip(1) if self.to_rgb else images

    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        return (images - self.mean) / self.std

    def _batch_seed(self) -> int:
        return (self.seed * 1_000_003 + int(self.batches_drawn)) % (2**63 - 1)

    def make_views(self, images: torch.Tensor) -> Tuple[List[torch.Tensor], torch.Tensor, torch.Tensor]:
        """uint8 (B, 3, H, W) -> (views normalised, global first; boxes (B, V, 4), flips (B, V)).

        Draws from the view stream (:meth:`_batch_seed`) and advances it by one batch; the global random state is
        left as it was.
        """
        augmentations = list(self.views) + [self.local_view] * self.num_local_views
        devices = [images.device.index or 0] if images.is_cuda else []  # the CUDA stream too, on a GPU
        with torch.random.fork_rng(devices=devices), torch.autocast(device_type=images.device.type, enabled=False):
            torch.manual_seed(self._batch_seed())  # seeds the CPU and every CUDA generator
            images = self._to_unit_rgb(images)
            outputs = [augmentation(images) for augmentation in augmentations]
        self.batches_drawn += 1
        views = [self.normalize(view) for view, _, _ in outputs]
        boxes = torch.stack([box for _, box, _ in outputs], dim=1)
        flips = torch.stack([flip for _, _, flip in outputs], dim=1)
        return views, boxes, flips

    def forward(self, data: dict, training: bool = False) -> Dict[str, Union[torch.Tensor, list]]:
        data = self.cast_data(data)
        inputs, data_samples = data['inputs'], data.get('data_samples')
        if isinstance(inputs, (list, tuple)) and not isinstance(inputs[0], torch.Tensor):
            raise TypeError(f'expected a batch tensor or a list of view tensors, got a list of '
                            f'{type(inputs[0]).__name__}')
        if isinstance(inputs, (list, tuple)) and inputs[0].dim() == 3:
            inputs = torch.stack(list(inputs))  # per-image tensors (a collate that does not stack)
        if isinstance(inputs, (list, tuple)):  # views made by the PIL pipeline: normalise only
            return dict(inputs=[self.normalize(self._to_unit_rgb(view)) for view in inputs],
                        data_samples=data_samples)
        if not training:
            return dict(inputs=self.normalize(self._to_unit_rgb(inputs)), data_samples=data_samples)
        views, boxes, flips = self.make_views(inputs)
        for index, sample in enumerate(data_samples or []):
            sample.set_field(boxes[index], 'crop_boxes')
            sample.set_field(flips[index], 'flips')
        return dict(inputs=views, data_samples=data_samples)


@MODELS.register_module()
class TwoViewPreprocessor(MultiViewPreprocessor):
    """The former name of :class:`MultiViewPreprocessor` (two views, no local views), kept for older configs."""


__all__ = ['MultiViewPreprocessor', 'TwoViewPreprocessor', 'ViewAugmentation']
