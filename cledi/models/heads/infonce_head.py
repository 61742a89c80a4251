"""Predictor + InfoNCE head shared by CL-EDI's global and detail modules."""
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.dist import all_gather, get_rank

from cledi.models.utils import build_module
from cledi.registry import MODELS
from .objective import ObjectiveHead


def infonce_loss(query: torch.Tensor,
                 key: torch.Tensor,
                 temperature: float,
                 valid: Optional[torch.Tensor] = None) -> torch.Tensor:
    """MoCo v3's contrastive loss for one direction: ``CE(q k^T / T, diag) * 2T``.

    Keys are gathered from every process (negatives from the whole global batch); the positive of the i-th
    local query is key ``i + rank * B``. The ``2 * T`` factor (as in the official MoCo v3) keeps the gradient
    scale independent of the temperature.

    Args:
        query (Tensor): (B, D) predictions of the online branch.
        key (Tensor): (B, D) momentum-encoder outputs of the other view (no gradient flows into them).
        temperature (float): Softmax temperature T.
        valid (Tensor, optional): (B,) bool; pairs marked False are neither queries nor negatives (the region
            detail loss pads every image to the same number of regions). Defaults to None (all pairs).
    """
    query = F.normalize(query, dim=1)
    key = F.normalize(key.detach(), dim=1)
    keys = torch.cat(all_gather(key), dim=0)  # (world * B, D)
    logits = query @ keys.t() / temperature  # (B, world * B)
    labels = torch.arange(query.shape[0], device=query.device) + query.shape[0] * get_rank()
    if valid is None:
        return F.cross_entropy(logits, labels) * (2 * temperature)
    valid_keys = torch.cat(all_gather(valid.to(torch.uint8)), dim=0).bool()  # gloo has no bool all_gather
    logits = logits.masked_fill(~valid_keys[None], float('-inf'))
    losses = F.cross_entropy(logits, labels, reduction='none')  # invalid rows are inf; they are dropped here
    return losses[valid].mean() * (2 * temperature)


def multiview_infonce(queries: Sequence[torch.Tensor], keys: Sequence[torch.Tensor], temperature: float) -> torch.Tensor:
    """MoCo v3's symmetric loss over several views: every query view ``i`` against every key view ``j != i``.

    The keys are the global views (views ``0 .. len(keys) - 1``); local views (the rest of ``queries``) are
    contrasted with every global view. The loss is ``2 x`` the mean over those pairs, so two views give MoCo v3's
    ``InfoNCE(q1, k2) + InfoNCE(q2, k1)`` exactly, and more views keep its scale.

    Args:
        queries (Sequence[Tensor]): (B, D) per view, global views first.
        keys (Sequence[Tensor]): (B, D) per global view, from the momentum encoder.
        temperature (float): Softmax temperature T.
    """
    terms = [infonce_loss(query, key, temperature) for i, query in enumerate(queries)
             for j, key in enumerate(keys) if i != j]
    if not terms:
        raise ValueError(f'no query / key pair of different views: {len(queries)} query views, {len(keys)} key views')
    return 2 * torch.stack(terms).mean()


@MODELS.register_module()
class InfoNCEHead(ObjectiveHead):
    """MoCo v3's objective: predictor followed by the symmetric InfoNCE loss, over two or more views.

    Unlike MMPretrain's ``MoCoV3Head``, the ``2 * T`` factor is part of the loss here rather than a
    ``loss_weight`` that a config must keep in sync with the temperature.

    Args:
        predictor (dict | nn.Module): Predictor MLP following MMPretrain's neck convention (takes a 1-tuple
            with a (B, C) tensor, returns a tuple whose first item is (B, D)), e.g. ``mmpretrain.NonLinearNeck``.
        temperature (float): Softmax temperature. Defaults to 0.2.
    """

    def __init__(self, predictor: Union[dict, nn.Module], temperature: float = 0.2) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.predictor = build_module(predictor)
        self.temperature = temperature

    def predict(self, projection: torch.Tensor) -> torch.Tensor:
        return self.predictor((projection, ))[0]

    def contrast(self, queries: Sequence[torch.Tensor], keys: Sequence[torch.Tensor],
                 progress: float = 1.0) -> torch.Tensor:
        """:func:`multiview_infonce` of predicted queries (per view) against momentum keys (per global view); the
        same at every point of training."""
        return multiview_infonce(queries, keys, self.temperature)

    def contrast_pair(self, query: torch.Tensor, key: torch.Tensor,
                      valid: Optional[torch.Tensor] = None) -> torch.Tensor:
        """:func:`infonce_loss` of one query batch (B, D) against one key batch (B, D), rows ``valid`` only."""
        return infonce_loss(query, key, self.temperature, valid)
