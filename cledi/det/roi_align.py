"""RoIAlign as two matrix products, for the CPU: the same function as mmcv's / torchvision's kernels, 3-5x faster.

RoIAlign averages bilinear samples on a regular grid inside each bin. A bilinear weight is a product of a row
weight and a column weight, and the sample grid is a product of row and column positions, so for one RoI

    out[c] = A_rows (ph, H) @ features[c] (H, W) @ A_cols(pw, W)^T

where ``A_rows[i, h]`` sums the row weights of bin row ``i``'s samples that fall on feature row ``h`` (divided
by the number of sample rows), and likewise for the columns. Pooling becomes dense matrix products (multi-threaded,
vectorised, and autograd gives the backward), instead of mmcv's CPU kernel, a single-threaded loop whose backward
scatters every sample: on the Penn-Fudan Mask R-CNN it took ~0.26 s of a ~0.9 s training step (torch.profiler,
``docs/benchmarks.md``). The products touch all H x W positions of the image's map, which is cheap for the small
maps this is meant for (CPU-sized detectors) and wasteful for large COCO maps on a GPU: keep mmcv's CUDA kernel
there.
"""
from typing import Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmdet.models.roi_heads.roi_extractors import SingleRoIExtractor

from cledi.registry import MODELS


def _axis_weights(start: torch.Tensor, end: torch.Tensor, pooled: int, size: int, sampling_ratio: int,
                  aligned: bool) -> torch.Tensor:
    """Pooling matrix of one axis: (R,) box edges in feature coordinates -> (R, pooled, size).

    Follows torchvision's ``roi_align`` kernel: ``ceil(length / pooled)`` samples per bin when ``sampling_ratio``
    is 0; a sample beyond [-1, size] contributes zero; one in [-1, 0] is clamped to 0; one past the last
    row/column reads the last one.
    """
    length = end - start
    if not aligned:  # the legacy mode: boxes at least one cell long
        length = length.clamp(min=1.0)
    bin_size = length / pooled  # (R,)
    if sampling_ratio > 0:
        grid = torch.full_like(length, sampling_ratio, dtype=torch.long)
    else:
        grid = torch.ceil(length / pooled).long()
    num_rois, max_grid = length.shape[0], max(int(grid.max()) if length.numel() else 0, 1)
    samples = torch.arange(max_grid, device=start.device)
    bins = torch.arange(pooled, device=start.device, dtype=start.dtype)
    # (R, pooled, G) sample positions along this axis
    position = (start[:, None, None] + bins[None, :, None] * bin_size[:, None, None] +
                (samples[None, None, :] + 0.5) * bin_size[:, None, None] / grid.clamp(min=1)[:, None, None])
    valid = (samples[None, None, :] < grid[:, None, None]) & (position >= -1.0) & (position <= size)
    position = position.clamp(min=0.0)
    low = position.floor().long()
    at_edge = low >= size - 1
    low = low.clamp(max=size - 1)
    high = torch.where(at_edge, low, low + 1)
    frac = torch.where(at_edge, torch.zeros_like(position), position - low)
    weights = torch.zeros(num_rois, pooled, size, dtype=start.dtype, device=start.device)
    weights.scatter_add_(2, low.flatten(2), ((1.0 - frac) * valid).flatten(2))
    weights.scatter_add_(2, high.flatten(2), (frac * valid).flatten(2))
    return weights / grid.clamp(min=1)[:, None, None]


def separable_roi_align(features: torch.Tensor,
                        rois: torch.Tensor,
                        output_size: Tuple[int, int],
                        spatial_scale: float,
                        sampling_ratio: int = 0,
                        aligned: bool = True) -> torch.Tensor:
    """Average RoIAlign of ``rois`` (R, 5: image index, x1, y1, x2, y2) on ``features`` (N, C, H, W).

    Returns (R, C, ph, pw); the gradient flows to ``features`` (not to the boxes, as in mmcv and torchvision).
    """
    _, channels, height, width = features.shape
    pooled_h, pooled_w = output_size
    with torch.no_grad():
        boxes = rois[:, 1:].to(features.dtype) * spatial_scale - (0.5 if aligned else 0.0)
        rows = _axis_weights(boxes[:, 1], boxes[:, 3], pooled_h, height, sampling_ratio, aligned)  # (R, ph, H)
        cols = _axis_weights(boxes[:, 0], boxes[:, 2], pooled_w, width, sampling_ratio, aligned)  # (R, pw, W)
        image_index = rois[:, 0].long()
    pieces, order = [], []
    for image in image_index.unique().tolist():
        index = (image_index == image).nonzero()[:, 0]
        # (H, C*W) feature rows of this image
        feature_rows = features[image].permute(1, 0, 2).reshape(height, channels * width)
        pooled = rows[index].reshape(-1, height) @ feature_rows  # (Ri*ph, C*W)
        pooled = pooled.reshape(len(index), pooled_h * channels, width) @ cols[index].transpose(1, 2)
        # (Ri, ph*C, pw) -> (Ri, C, ph, pw)
        pieces.append(pooled.reshape(len(index), pooled_h, channels, pooled_w).permute(0, 2, 1, 3))
        order.append(index)
    if not pieces:
        return features.new_zeros(0, channels, pooled_h, pooled_w)
    return torch.cat(pieces)[torch.argsort(torch.cat(order))]


@MODELS.register_module()
class SeparableRoIAlign(nn.Module):
    """Drop-in for ``mmcv.ops.RoIAlign`` (average pooling) computed by :func:`separable_roi_align`.

    Args:
        output_size (int | Sequence[int]): Bins per RoI, (h, w) or one number.
        spatial_scale (float): Feature-map scale of the box coordinates (1 / stride). Defaults to 1.0.
        sampling_ratio (int): Samples per bin and axis; 0 takes ``ceil(box length / bins)``. Defaults to 0.
        pool_mode (str): Only ``'avg'``. Defaults to ``'avg'``.
        aligned (bool): Shift boxes by half a cell (Detectron2's ``aligned=True``). Defaults to True.
    """

    def __init__(self,
                 output_size: Union[int, Sequence[int]],
                 spatial_scale: float = 1.0,
                 sampling_ratio: int = 0,
                 pool_mode: str = 'avg',
                 aligned: bool = True) -> None:
        super().__init__()
        if pool_mode != 'avg':
            raise ValueError(f"SeparableRoIAlign pools by average only, got pool_mode={pool_mode!r}; "
                             "use mmcv's RoIAlign (roi_layer=dict(type='RoIAlign', ...)) for max pooling")
        self.output_size = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
        self.spatial_scale = float(spatial_scale)
        self.sampling_ratio = int(sampling_ratio)
        self.aligned = aligned

    def forward(self, features: torch.Tensor, rois: torch.Tensor) -> torch.Tensor:
        return separable_roi_align(features, rois, self.output_size, self.spatial_scale, self.sampling_ratio,
                                   self.aligned)

    def extra_repr(self) -> str:
        return (f'output_size={self.output_size}, spatial_scale={self.spatial_scale}, '
                f'sampling_ratio={self.sampling_ratio}, aligned={self.aligned}')


@MODELS.register_module()
class RoIExtractor(SingleRoIExtractor):
    """MMDetection's ``SingleRoIExtractor`` whose ``roi_layer`` may also name a cledi layer.

    mmdet looks RoI layers up in ``mmcv.ops`` only; a type with the ``cledi.`` prefix (e.g.
    ``'cledi.SeparableRoIAlign'``) is built from cledi's registry instead. Everything else is mmdet's.
    """

    def build_roi_layers(self, layer_cfg: dict, featmap_strides: Sequence[int]) -> nn.ModuleList:
        layer_type = layer_cfg['type']
        if isinstance(layer_type, str) and layer_type.startswith('cledi.'):
            return nn.ModuleList(MODELS.build(dict(layer_cfg, spatial_scale=1 / s)) for s in featmap_strides)
        return super().build_roi_layers(layer_cfg, featmap_strides)
