"""Cross-level terms: the CLS token against the other views' detail vectors, and / or the reverse."""
from typing import Dict, List, Literal, Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from cledi.registry import MODELS
from .base import DetailOutput, ramp

CROSS_TERMS = ('both', 'cls', 'detail')


@MODELS.register_module()
class CrossLevel(BaseModule):
    """A loss part beside the detail part: contrasts the two levels with each other, in one embedding space.

        'cls':    2 * mean_{v != g} InfoNCE(q_v, kd_g; T)    the CLS query must agree with another view's details
        'detail': 2 * mean_{v != g} InfoNCE(qd_v, k_g; Td)   the detail query must agree with another view's CLS
        L_cross = the chosen terms ('both': their sum), times lambda_cross and the warm-up ramp

    Keys come from the momentum encoder, so each term teaches only its query side. The global and detail
    projections must have the same width. DetCo's global <-> local contrast is the closest published relative.

    Args:
        loss_weight (float): lambda_cross. Defaults to 1.0.
        terms (str): ``'both'``, ``'cls'`` or ``'detail'``. Defaults to ``'both'``.
        warmup (float): Fraction of training over which lambda_cross rises from 0. Defaults to 0.0.
    """

    def __init__(self, loss_weight: float = 1.0, terms: Literal['both', 'cls', 'detail'] = 'both',
                 warmup: float = 0.0, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if loss_weight < 0:
            raise ValueError(f'CrossLevel: loss_weight (lambda_cross) must be >= 0, got {loss_weight}')
        if terms not in CROSS_TERMS:
            raise ValueError(f'cross terms {terms!r} is not one of {CROSS_TERMS}')
        if not 0.0 <= warmup <= 1.0:
            raise ValueError(f'CrossLevel: warmup is a fraction of training in [0, 1], got {warmup}')
        self.loss_weight = loss_weight
        self.terms = terms
        self.warmup = warmup

    def forward(self, queries: List[torch.Tensor], keys: List[torch.Tensor], head: nn.Module,
                detail: DetailOutput, progress: float) -> Dict[str, torch.Tensor]:
        """``loss_cross`` from the global queries / keys (per view / per global view), contrasted by the global
        ``head``, and the detail part's, contrasted by the detail part's head."""
        if detail.queries is None:
            raise ValueError('CrossLevel needs whole-view detail vectors, and this detail part gives none')
        if queries[0].shape[1] != detail.keys[0].shape[1]:
            raise ValueError(f'cross-level terms contrast CLS and detail projections in one space, but they are '
                             f'{queries[0].shape[1]}-d and {detail.keys[0].shape[1]}-d: give the global and the detail '
                             'projector the same out_channels')
        loss = queries[0].new_zeros(())
        if self.terms in ('both', 'cls'):
            loss = loss + head.contrast(queries[:len(detail.queries)], detail.keys)
        if self.terms in ('both', 'detail'):
            loss = loss + detail.head.contrast(detail.queries, keys)
        return dict(loss_cross=self.loss_weight * ramp(progress, self.warmup) * loss)
