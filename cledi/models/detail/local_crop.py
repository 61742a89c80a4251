"""Local-crop detail: the small local views of a multi-crop recipe give the detail queries, the global views the keys."""
from typing import Literal, Optional, Union

import torch
import torch.nn as nn

from cledi.models.utils import pool_regions, source_to_view
from cledi.registry import MODELS
from .base import DetailInputs, DetailOutput, DetailPart, build_embedding, view_geometry

KEYS = ('detail', 'cls', 'region')


def local_region_boxes(local_boxes: torch.Tensor, global_boxes: torch.Tensor, global_flips: torch.Tensor,
                       grid_hw, min_overlap: float = 0.5):
    """Where each local crop lies in a global view, in that view's token coordinates.

    Args:
        local_boxes (Tensor): (B, 4) crop boxes of a local view in source pixels.
        global_boxes (Tensor): (B, 4) crop boxes of a global view in source pixels.
        global_flips (Tensor): (B,) bool, the global view was mirrored.
        grid_hw: The global view's token grid (rows, cols).
        min_overlap (float): Smallest fraction of the local crop that must lie inside the global crop.

    Returns:
        tuple[Tensor, Tensor]: boxes (B, 1, 4) ``(x1, y1, x2, y2)`` in the global view's token units (the part of
        the local crop inside the global crop), and valid (B,) bool (enough of the local crop is inside).
    """
    local_boxes, global_boxes = local_boxes.float(), global_boxes.float()
    inside = torch.cat([torch.maximum(local_boxes[:, :2], global_boxes[:, :2]),
                        torch.minimum(local_boxes[:, 2:], global_boxes[:, 2:])], dim=1)  # (B, 4) source pixels
    width, height = (inside[:, 2] - inside[:, 0]).clamp(min=0), (inside[:, 3] - inside[:, 1]).clamp(min=0)
    local_area = (local_boxes[:, 2] - local_boxes[:, 0]) * (local_boxes[:, 3] - local_boxes[:, 1])
    valid = width * height >= max(min_overlap, 1e-6) * local_area
    boxes = source_to_view(inside[:, None], global_boxes, global_flips, grid_hw)  # (B, 1, 4)
    whole = global_boxes.new_tensor([0.0, 0.0, grid_hw[1], grid_hw[0]])
    return torch.where(valid[:, None, None], boxes, whole.expand_as(boxes)), valid


@MODELS.register_module()
class LocalCropDetail(DetailPart):
    """Detail from the local views of multi-crop, against the global views (a hard, cross-view local target).

    Each local view ``l`` gives one detail query, its pooled patch tokens projected and predicted:
    ``qd_l = pred(proj(pool(patches(f(l)), cls(f(l)))))``; its keys, from the momentum encoder's global views ``g``:

    - ``key='detail'``: the global view's pooled patch tokens, ``proj~(pool~(patches(f~(g))))`` (CL-EDI's detail
      key);
    - ``key='cls'``: the global view's CLS key ``proj~(cls(f~(g)))``, in the CLS token's own embedding space (so
      ``shared_head=True`` is required: one projector for both): DINO's local-to-global contrast, on the detail
      vector of the local crop;
    - ``key='region'``: the part of the global view that the local crop shows (from the crop boxes and flips the
      fast data path records), pooled from the global view's momentum patch tokens; pairs whose local crop lies less
      than ``min_overlap`` inside the global crop are left out.

        L_detail = 2 * mean_{l local, g global} InfoNCE(qd_l, key_g(l); Td)

    The multi-crop baseline already contrasts each local view's CLS; this part adds its patch tokens.

    Args:
        key (str): ``'detail'``, ``'cls'`` or ``'region'``. Defaults to ``'detail'``.
        min_overlap (float): ``key='region'``: smallest share of the local crop inside the global crop.
            Defaults to 0.5.
        pool, neck, head, shared_head, out_index, loss_weight, warmup: as in :class:`GlobalDetail`.
    """

    def __init__(self,
                 key: Literal['detail', 'cls', 'region'] = 'detail',
                 min_overlap: float = 0.5,
                 pool: Union[dict, nn.Module] = dict(type='cledi.MeanPool'),
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 shared_head: bool = False,
                 out_index: int = -1,
                 loss_weight: float = 1.0,
                 warmup: float = 0.0,
                 global_neck: Optional[dict] = None,
                 global_head: Optional[dict] = None,
                 in_channels: Optional[int] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(loss_weight, warmup, init_cfg=init_cfg)
        if key not in KEYS:
            raise ValueError(f'key {key!r} is not one of {KEYS}')
        if key == 'cls' and not shared_head:
            raise ValueError("key='cls' contrasts the local detail vector with CLS keys: it needs the CLS token's "
                             'projector, shared_head=True')
        build_embedding(self, pool, neck, head, shared_head, global_neck, global_head, in_channels, pairwise=True)
        self.key = key
        self.min_overlap = min_overlap
        self.out_index = out_index

    def forward(self, inputs: DetailInputs) -> DetailOutput:
        online, momentum = inputs.online, inputs.momentum
        if len(online) <= len(momentum):
            raise ValueError('LocalCropDetail needs local views: set num_local_views > 0 in cledi.MultiViewPreprocessor')
        neck, head, momentum_neck = self.embedding(inputs)
        local_views = range(len(momentum), len(online))
        queries = [head.predict(neck((self.pool(online.patches(v, self.out_index), online.cls(v)), ))[0])
                   for v in local_views]
        weight = self.weight(inputs.progress)
        if self.key != 'region':
            with torch.no_grad():
                if self.key == 'cls':
                    keys = [momentum_neck((momentum.cls(g), ))[0] for g in range(len(momentum))]
                else:
                    keys = [momentum_neck((inputs.momentum_modules['aggregator'](momentum.patches(g, self.out_index),
                                                                               momentum.cls(g)), ))[0]
                            for g in range(len(momentum))]
            terms = [head.contrast_pair(query, key) for query in queries for key in keys]
            return DetailOutput(dict(loss_detail=weight * 2 * torch.stack(terms).mean()))
        crop_boxes, flips = view_geometry(inputs, "LocalCropDetail(key='region')")
        terms = []
        for query, local in zip(queries, local_views):
            for g in range(len(momentum)):
                boxes, valid = local_region_boxes(crop_boxes[:, local], crop_boxes[:, g], flips[:, g],
                                                  momentum.grids[g], self.min_overlap)
                with torch.no_grad():
                    region = pool_regions(momentum.patches(g, self.out_index), boxes, momentum.grids[g])[:, 0]
                    key = momentum_neck((region, ))[0]
                if valid.any():
                    terms.append(head.contrast_pair(query, key, valid))
        loss = 2 * torch.stack(terms).mean() if terms else queries[0].sum() * 0
        return DetailOutput(dict(loss_detail=weight * loss))
