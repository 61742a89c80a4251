"""What a detail part of CL-EDI receives and returns, and the base class of the parts.

A part turns the tokens of every view into detail losses. It gets, in :class:`DetailInputs`: the CLS and patch
tokens of every view through the online encoder and of the global views through the momentum encoder, each view's
patch grid, the views' crop geometry when the data path records it, the global projector / predictor (so a part
may contrast in the CLS token's embedding space), the momentum copies of its own key modules, and the training
progress. Views ``0`` and ``1`` are the global views (the keys); any further view is a local view (a query only).
"""
from dataclasses import dataclass
from typing import Dict, List, NamedTuple, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule


@dataclass
class EncodedViews:
    """The views of a batch through one encoder.

    Attributes:
        images (list[Tensor]): (B, 3, H_v, W_v) per view, as the encoder saw them.
        outs (list[tuple[Tensor]]): per view, the backbone's outputs (one per ``out_indices``), each
            (B, extra + N_v, C) raw tokens.
        grids (list[tuple[int, int]]): per view, the patch grid (rows, cols), rows * cols = N_v.
        num_extra_tokens (int): Tokens before the patches (the CLS token). Defaults to 1.
    """
    images: List[torch.Tensor]
    outs: List[Tuple[torch.Tensor, ...]]
    grids: List[Tuple[int, int]]
    num_extra_tokens: int = 1

    def __len__(self) -> int:
        return len(self.outs)

    def cls(self, view: int, index: int = -1) -> torch.Tensor:
        """The CLS token of one view: (B, C)."""
        return self.outs[view][index][:, 0]

    def patches(self, view: int, index: int = -1) -> torch.Tensor:
        """The patch tokens of one view, row-major over its grid: (B, N_v, C)."""
        return self.outs[view][index][:, self.num_extra_tokens:]


class GlobalSpace(NamedTuple):
    """The global module's projector, predictor head and momentum projector (the CLS token's embedding space)."""
    neck: nn.Module
    head: nn.Module
    momentum_neck: nn.Module


@dataclass
class DetailInputs:
    """Everything a detail part may use.

    Attributes:
        online (EncodedViews): Every view (global views first) through the online encoder.
        momentum (EncodedViews): The global views through the momentum encoder (no gradient).
        momentum_modules (dict): The momentum copies of the part's ``key_modules()``, by the same names.
        global_space (GlobalSpace): The global projector, predictor and momentum projector.
        geometry (tuple, optional): Crop boxes (B, V, 4) ``(x1, y1, x2, y2)`` in source pixels and flips (B, V)
            of the views, when the data path records them (``cledi.MultiViewPreprocessor``); else None.
        progress (float): Fraction of training done, in [0, 1].
        need_vectors (bool): A cross-level part will contrast the part's whole-view detail vectors.
    """
    online: EncodedViews
    momentum: EncodedViews
    momentum_modules: Dict[str, nn.Module]
    global_space: GlobalSpace
    geometry: Optional[Tuple[torch.Tensor, torch.Tensor]] = None
    progress: float = 1.0
    need_vectors: bool = False


class DetailOutput(NamedTuple):
    """A part's losses (already weighted) and, for cross-level terms, its whole-view detail vectors: queries
    (B, D) per view used as a query, keys (B, D) per global view, and the head (``cledi.InfoNCEHead``) that
    contrasts them (it owns the temperature)."""
    losses: Dict[str, torch.Tensor]
    queries: Optional[List[torch.Tensor]] = None
    keys: Optional[List[torch.Tensor]] = None
    head: Optional[nn.Module] = None


def ramp(progress: float, warmup: float) -> float:
    """``min(1, progress / warmup)``: a loss weight's factor rising linearly from 0 over ``warmup`` of training."""
    return 1.0 if warmup == 0 else min(1.0, progress / warmup)


class DetailPart(BaseModule):
    """Base of CL-EDI's detail parts: a weighted loss with an optional linear warm-up.

    ``cledi.CLEDI`` builds its part with ``global_neck``, ``global_head`` (the configs of the global projector and
    predictor, defaults for a part's own) and ``in_channels`` (the backbone's width); a part that has no use for
    them ignores them.

    Args:
        loss_weight (float): lambda, the weight of the part's loss. Defaults to 1.0.
        warmup (float): Fraction of training over which the weight rises linearly from 0. Defaults to 0.0.
    """

    def __init__(self, loss_weight: float = 1.0, warmup: float = 0.0, global_neck: Optional[dict] = None,
                 global_head: Optional[dict] = None, in_channels: Optional[int] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if loss_weight < 0:
            raise ValueError(f'{type(self).__name__}: loss_weight (lambda) must be >= 0, got {loss_weight}')
        if not 0.0 <= warmup <= 1.0:
            raise ValueError(f'{type(self).__name__}: warmup is a fraction of training in [0, 1], got {warmup}')
        self.loss_weight = loss_weight
        self.warmup = warmup

    def weight(self, progress: float) -> float:
        """lambda times the warm-up ramp at this point of training."""
        return self.loss_weight * ramp(progress, self.warmup)

    def key_modules(self) -> Dict[str, nn.Module]:
        """The modules whose momentum copies make this part's keys (the momentum encoder holds their EMA)."""
        return {}

    def forward(self, inputs: DetailInputs) -> DetailOutput:
        raise NotImplementedError


def view_geometry(inputs: DetailInputs, part: str) -> Tuple[torch.Tensor, torch.Tensor]:
    """The crop boxes and flips of the views, or an error that says how to get them."""
    if inputs.geometry is None:
        raise ValueError(f'{part} needs each view\'s crop box and flip in the data samples: use '
                         "data_preprocessor=dict(type='cledi.MultiViewPreprocessor', ...), the fast data path of "
                         'configs/_base_/datasets/cifar10_folder.py; the PIL pipeline does not record them')
    return inputs.geometry


__all__ = ['DetailInputs', 'DetailOutput', 'DetailPart', 'EncodedViews', 'GlobalSpace', 'ramp', 'view_geometry']
