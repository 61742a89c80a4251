"""Location-matched detail: the overlap of the two global views cut into regions, region k against region k."""
from typing import Optional, Union

import torch
import torch.nn as nn

from cledi.models.utils import matched_regions, pool_regions
from cledi.registry import MODELS
from .base import DetailInputs, DetailOutput, DetailPart, build_embedding, view_geometry
from .global_detail import detail_vectors


def project_valid(module, rows: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """``module`` (an MMPretrain-style neck) on the valid rows only, the others left zero: (M, C) -> (M, D).

    Padded rows never enter the module, so they do not shift its BatchNorm statistics, and the output keeps its
    shape (the same on every process, as the keys' all_gather needs).
    """
    projected = module((rows[valid], ))[0]
    out = projected.new_zeros(rows.shape[0], projected.shape[1])
    out[valid] = projected
    return out


@MODELS.register_module()
class RegionDetail(DetailPart):
    """Region detail: the crop boxes and flips the fast data path records give the overlap of the two global views
    in the source image; it is cut into ``grid x grid`` regions, each found in both views' patch grids and pooled
    there (RoIAlign, a bilinear mean). Region k of view 1 (online, projected, predicted) is contrasted with region
    k of view 2 (momentum, projected), every other valid region of every image being a negative:

        L_detail = mean_{i, k valid} InfoNCE(pred_d(proj_d(r_k(f(v1_i)))), proj_d~(r_k(f~(v2_i))); Td) + (v1 <-> v2)

    A pair overlapping less than ``min_overlap`` of either view falls back to one region per view, the mean of
    all its patches; its other regions are padding, kept out of the projector, the predictor and the loss. The
    pooling serves only the whole-view vectors of cross-level terms. The part has its own projector and predictor.

    Args:
        grid (int): Regions per side of the overlap. Defaults to 2.
        min_overlap (float): Smallest fraction of each view the overlap must cover to be cut. Defaults to 0.2.
        pool, neck, head, out_index, loss_weight, warmup: as in :class:`GlobalDetail`.
    """

    def __init__(self,
                 grid: int = 2,
                 min_overlap: float = 0.2,
                 pool: Union[dict, nn.Module] = dict(type='cledi.MeanPool'),
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 out_index: int = -1,
                 loss_weight: float = 1.0,
                 warmup: float = 0.0,
                 global_neck: Optional[dict] = None,
                 global_head: Optional[dict] = None,
                 in_channels: Optional[int] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(loss_weight, warmup, init_cfg=init_cfg)
        if grid < 1 or not 0.0 <= min_overlap <= 1.0:
            raise ValueError(f'grid must be >= 1 and min_overlap in [0, 1], got {grid} and {min_overlap}')
        build_embedding(self, pool, neck, head, False, global_neck, global_head, in_channels, pairwise=True)
        self.grid = grid
        self.min_overlap = min_overlap
        self.out_index = out_index

    def forward(self, inputs: DetailInputs) -> DetailOutput:
        crop_boxes, flips = view_geometry(inputs, 'RegionDetail')
        online, momentum = inputs.online, inputs.momentum
        grid_hw = online.grids[0]
        boxes, valid, matched = matched_regions(crop_boxes[:, :2], flips[:, :2], grid_hw, self.grid,
                                                self.min_overlap)
        valid = valid.flatten()  # (B * R,)

        def regions(encoded, view):  # (B, N, C) -> (B * R, C)
            return pool_regions(encoded.patches(view, self.out_index), boxes[:, view], grid_hw).flatten(0, 1)

        queries = [project_valid(self.head.predictor, project_valid(self.neck, regions(online, view), valid), valid)
                   for view in (0, 1)]
        with torch.no_grad():
            keys = [project_valid(inputs.momentum_modules['neck'], regions(momentum, view), valid) for view in (0, 1)]
        loss = self.head.contrast_pair(queries[0], keys[1], valid) + self.head.contrast_pair(queries[1], keys[0], valid)
        losses = dict(loss_detail=self.weight(inputs.progress) * loss, region_matched=matched.float().mean())
        if not inputs.need_vectors:
            return DetailOutput(losses)
        return DetailOutput(losses, *detail_vectors(self, inputs, range(len(inputs.momentum))))
