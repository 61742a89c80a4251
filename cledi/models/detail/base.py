"""What a detail part of CL-EDI receives and returns, and the base class of the parts.

A part turns the tokens of every view into detail losses. It gets, in :class:`DetailInputs`: the CLS and patch
tokens of every view through the online encoder and of the global views through the momentum encoder, each view's
patch grid, the views' crop geometry when the data path records it, the global projector / predictor (so a part
may contrast in the CLS token's embedding space), the momentum copies of its own key modules, and the training
progress. Views ``0`` and ``1`` are the global views (the keys); any further view is a local view (a query only).
"""
import copy
from dataclasses import dataclass
from typing import Dict, List, NamedTuple, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from cledi.models.heads import ObjectiveHead
from cledi.models.utils import EncodedViews, build_module


class GlobalSpace(NamedTuple):
    """The global projector, objective head and momentum projector (the CLS token's embedding space)."""
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
        masks (list, optional): Per global view, the (B, N) bool mask of the patches the student saw masked (from
            the part's :meth:`DetailPart.student_masks`); None when nothing was masked.
    """
    online: EncodedViews
    momentum: EncodedViews
    momentum_modules: Dict[str, nn.Module]
    global_space: GlobalSpace
    geometry: Optional[Tuple[torch.Tensor, torch.Tensor]] = None
    progress: float = 1.0
    need_vectors: bool = False
    masks: Optional[List[Optional[torch.Tensor]]] = None


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
    """Base of CL-EDI's detail parts: a weighted loss with an optional linear warm-up, and the part's embedding.

    ``cledi.CLEDI`` builds its part with ``global_neck``, ``global_head`` (the configs of the global projector and
    objective head, defaults for a part's own) and ``in_channels`` (the backbone's width). A part that embeds
    pooled patch tokens builds its pooling, projector and head with :func:`build_embedding` and reads them back with
    :meth:`embedding`; its momentum copies are named ``aggregator`` and ``neck`` (``momentum_encoder.detail_*``).

    Args:
        loss_weight (float): lambda, the weight of the part's loss. Defaults to 1.0.
        warmup (float): Fraction of training over which the weight rises linearly from 0. Defaults to 0.0.
    """

    shared_head = False  # the part embeds in the global projector and head (set by build_embedding)

    def __init__(self, loss_weight: float = 1.0, warmup: float = 0.0, init_cfg: Optional[dict] = None) -> None:
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
        """The modules whose momentum copies make this part's keys (the momentum encoder holds their EMA): the
        pooling and the own projector of an embedding part, and a separate backbone where there is one."""
        modules = {}
        if getattr(self, 'pool', None) is not None:
            modules['aggregator'] = self.pool
        if getattr(self, 'neck', None) is not None:
            modules['neck'] = self.neck
        if getattr(self, 'backbone', None) is not None:
            modules['backbone'] = self.backbone
        return modules

    def student_masks(self, views: List[torch.Tensor], patch_size: int):
        """Masks of the student's global views: None (no masking), or ``(masks, mask_token)`` with a (B, N) bool
        mask or None per global view and the (C,) token the ViT puts in place of the masked patch embeddings."""
        return None

    def embedding(self, inputs: 'DetailInputs') -> Tuple[nn.Module, nn.Module, nn.Module]:
        """The projector, head and momentum projector the part embeds its vectors with: its own, or the global ones
        (``shared_head``)."""
        if self.shared_head:
            return inputs.global_space.neck, inputs.global_space.head, inputs.global_space.momentum_neck
        return self.neck, self.head, inputs.momentum_modules['neck']

    def forward(self, inputs: 'DetailInputs') -> 'DetailOutput':
        raise NotImplementedError


def build_embedding(part: DetailPart, pool: Union[dict, nn.Module], neck: Optional[dict], head: Optional[dict],
                    shared_head: bool, global_neck: Optional[dict], global_head: Optional[dict],
                    in_channels: Optional[int], pairwise: bool = False) -> None:
    """Give ``part`` its pooling (``in_channels`` defaults to the backbone's width) and, unless ``shared_head``, its
    own projector and head (by default the architecture of the global ones, with their own weights); ``pairwise``:
    the part scores single query / key batches, which only an InfoNCE head does."""
    if shared_head and (neck is not None or head is not None):
        raise ValueError(f'{type(part).__name__}: shared_head=True uses the global projector and head: drop neck / head')
    part.pool = build_module(pool, in_channels=in_channels)
    part.shared_head = shared_head
    if not shared_head:
        part.neck = build_module(copy.deepcopy(global_neck) if neck is None else neck)
        part.head = build_module(copy.deepcopy(global_head) if head is None else head)
        if pairwise and type(part.head).contrast_pair is ObjectiveHead.contrast_pair:
            raise ValueError(f'{type(part).__name__} scores single query / key batches, which its head '
                             f"{type(part.head).__name__} does not: give it head=dict(type='cledi.InfoNCEHead', ...)")


def view_geometry(inputs: DetailInputs, part: str) -> Tuple[torch.Tensor, torch.Tensor]:
    """The crop boxes and flips of the views, or an error that says how to get them."""
    if inputs.geometry is None:
        raise ValueError(f'{part} needs each view\'s crop box and flip in the data samples: use '
                         "data_preprocessor=dict(type='cledi.MultiViewPreprocessor', ...), the fast data path of "
                         'configs/_base_/datasets/cifar10_folder.py; the PIL pipeline does not record them')
    return inputs.geometry


__all__ = ['DetailInputs', 'DetailOutput', 'DetailPart', 'EncodedViews', 'GlobalSpace', 'build_embedding', 'ramp',
           'view_geometry']
