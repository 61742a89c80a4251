"""Location-matched regions of two views: their overlap in the source image, cut into a grid, found in each view.

The fast data path (``cledi.MultiViewPreprocessor``) records, per image, the crop box of each view in the source
image's pixels and whether the view was mirrored. That is enough to find, in each view's patch-token grid, the
part of the image both views show, so a loss can contrast the same image region seen twice (PixPro, VICRegL,
DenseCL do this on feature maps; here it is pooled region vectors, ``cledi.RegionDetail``).
"""
from typing import Tuple

import torch
from torchvision.ops import roi_align


def source_to_view(boxes: torch.Tensor, crop_box: torch.Tensor, flip: torch.Tensor,
                   grid_hw: Tuple[int, int]) -> torch.Tensor:
    """Boxes in source-image pixels -> the same boxes in one view's token coordinates.

    A view is its crop box ``(x1, y1, x2, y2)`` resized to the token grid (``w`` tokens wide, ``h`` high; token
    ``(i, j)`` covers ``[j, j + 1) x [i, i + 1)``), then mirrored where ``flip`` is set.

    Args:
        boxes (Tensor): (B, R, 4) ``(x1, y1, x2, y2)`` in source pixels.
        crop_box (Tensor): (B, 4) the view's crop box in source pixels.
        flip (Tensor): (B,) bool, the view was mirrored left-right after cropping.
        grid_hw (tuple[int, int]): The token grid's height and width.

    Returns:
        Tensor: (B, R, 4) ``(x1, y1, x2, y2)`` in token units, ``x1 <= x2`` also for mirrored views.
    """
    grid_h, grid_w = grid_hw
    left, top, right, bottom = (crop_box[:, index, None] for index in range(4))  # each (B, 1)
    x1 = (boxes[..., 0] - left) * grid_w / (right - left)
    x2 = (boxes[..., 2] - left) * grid_w / (right - left)
    y1 = (boxes[..., 1] - top) * grid_h / (bottom - top)
    y2 = (boxes[..., 3] - top) * grid_h / (bottom - top)
    mirrored = flip[:, None]
    x1, x2 = torch.where(mirrored, grid_w - x2, x1), torch.where(mirrored, grid_w - x1, x2)
    return torch.stack([x1, y1, x2, y2], dim=-1)


def matched_regions(crop_boxes: torch.Tensor, flips: torch.Tensor, grid_hw: Tuple[int, int], regions: int,
                    min_overlap: float) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The overlap of two views cut into ``regions x regions`` boxes, in each view's token coordinates.

    Region ``k`` of view 1 and region ``k`` of view 2 show the same source pixels (row-major order in the
    source image, so mirroring does not change which region is which). A pair whose overlap covers less than
    ``min_overlap`` of either view falls back to one region: each view's whole token grid (with mean pooling,
    the global detail vector); its other regions are marked invalid.

    Args:
        crop_boxes (Tensor): (B, 2, 4) crop boxes of view 1 and view 2 in source pixels.
        flips (Tensor): (B, 2) bool, each view mirrored.
        grid_hw (tuple[int, int]): Token grid height and width of the views.
        regions (int): Regions per side of the overlap.
        min_overlap (float): Smallest fraction of each view's area the overlap must cover.

    Returns:
        tuple[Tensor, Tensor, Tensor]: boxes (B, 2, regions * regions, 4) in token units of view 1 / view 2,
        valid (B, regions * regions) bool, and matched (B,) bool (the pair is cut into regions; False: fallback).
    """
    crop_boxes = crop_boxes.float()
    inter = torch.cat([torch.maximum(crop_boxes[:, 0, :2], crop_boxes[:, 1, :2]),
                       torch.minimum(crop_boxes[:, 0, 2:], crop_boxes[:, 1, 2:])], dim=1)  # (B, 4)
    inter_area = (inter[:, 2] - inter[:, 0]).clamp(min=0) * (inter[:, 3] - inter[:, 1]).clamp(min=0)
    view_area = (crop_boxes[..., 2] - crop_boxes[..., 0]) * (crop_boxes[..., 3] - crop_boxes[..., 1])  # (B, 2)
    matched = (inter_area[:, None] / view_area).min(dim=1).values >= max(min_overlap, 1e-6)  # (B,)

    steps = torch.arange(regions + 1, device=crop_boxes.device, dtype=crop_boxes.dtype) / regions
    xs = inter[:, 0, None] + (inter[:, 2] - inter[:, 0])[:, None] * steps  # (B, regions + 1) cut positions
    ys = inter[:, 1, None] + (inter[:, 3] - inter[:, 1])[:, None] * steps
    row, col = torch.meshgrid(torch.arange(regions), torch.arange(regions), indexing='ij')
    row, col = row.flatten().to(crop_boxes.device), col.flatten().to(crop_boxes.device)
    source = torch.stack([xs[:, col], ys[:, row], xs[:, col + 1], ys[:, row + 1]], dim=-1)  # (B, R, 4)

    grid_h, grid_w = grid_hw
    whole = crop_boxes.new_tensor([0.0, 0.0, grid_w, grid_h]).expand_as(source)
    boxes = torch.stack([
        torch.where(matched[:, None, None], source_to_view(source, crop_boxes[:, view], flips[:, view], grid_hw),
                    whole) for view in (0, 1)
    ], dim=1)
    valid = matched[:, None] | (torch.arange(regions * regions, device=crop_boxes.device) == 0)[None]
    return boxes, valid, matched


def pool_regions(patch_tokens: torch.Tensor, boxes: torch.Tensor, grid_hw: Tuple[int, int]) -> torch.Tensor:
    """Average the patch tokens inside each box (RoIAlign, bilinear, one sample per token): (B, N, C) -> (B, R, C).

    A box covering whole tokens gives exactly their mean (the samples fall on token centres).

    Args:
        patch_tokens (Tensor): (B, N, C) with ``N = h * w`` in row-major order.
        boxes (Tensor): (B, R, 4) ``(x1, y1, x2, y2)`` in token units.
        grid_hw (tuple[int, int]): The token grid's height and width.
    """
    batch, num_tokens, channels = patch_tokens.shape
    grid_h, grid_w = grid_hw
    if grid_h * grid_w != num_tokens:
        raise ValueError(f'a {grid_h}x{grid_w} token grid needs {grid_h * grid_w} patch tokens, got {num_tokens}')
    feature_map = patch_tokens.transpose(1, 2).reshape(batch, channels, grid_h, grid_w).float()
    num_regions = boxes.shape[1]
    image_index = torch.arange(batch, device=boxes.device, dtype=feature_map.dtype).repeat_interleave(num_regions)
    rois = torch.cat([image_index[:, None], boxes.reshape(-1, 4).to(feature_map.dtype)], dim=1)
    pooled = roi_align(feature_map, rois, output_size=1, spatial_scale=1.0, sampling_ratio=-1, aligned=True)
    return pooled.view(batch, num_regions, channels).to(patch_tokens.dtype)  # (B * R, C, 1, 1) -> (B, R, C)


__all__ = ['matched_regions', 'pool_regions', 'source_to_view']
