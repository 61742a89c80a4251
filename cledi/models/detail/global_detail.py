"""CL-EDI's default detail part: one pooled detail vector per view, contrasted like the CLS token."""
from typing import List, Literal, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn

from cledi.models.utils import build_module
from cledi.registry import MODELS
from .base import DetailInputs, DetailOutput, DetailPart, EncodedViews, build_embedding


def local_window(patch_tokens: torch.Tensor, grid, window: int) -> torch.Tensor:
    """A random ``window x window`` square of the patch grid per image: (B, N, C) -> (B, window^2, C)."""
    batch, _, channels = patch_tokens.shape
    rows, cols = grid
    if window > min(rows, cols):
        raise ValueError(f'local_window={window} is wider than the {rows}x{cols} patch grid')
    top = torch.randint(0, rows - window + 1, (batch, 1, 1), device=patch_tokens.device)
    left = torch.randint(0, cols - window + 1, (batch, 1, 1), device=patch_tokens.device)
    offsets = torch.arange(window, device=patch_tokens.device)
    index = ((top + offsets.view(1, -1, 1)) * cols + left + offsets.view(1, 1, -1)).flatten(1)  # (B, w*w)
    return patch_tokens.gather(1, index.unsqueeze(-1).expand(-1, -1, channels))


@MODELS.register_module()
class GlobalDetail(DetailPart):
    """The detail module of CL-EDI: pooled patch tokens -> projector -> head, scored against the pooled, projected
    patch tokens of the other global views' momentum encoder by the head's objective (by default the global head's
    type with its own weights: on MoCo v3, its InfoNCE with its own temperature):

        qd_v = pred_d(proj_d(pool(patches(f(v)))))        kd_g = proj_d~(pool~(patches(f~(g))))
        L_detail = 2 * mean_{v != g} InfoNCE(qd_v, kd_g; Td)          (two views: qd1 vs kd2 + qd2 vs kd1)

    Args:
        pool (dict): The pooling, e.g. ``dict(type='cledi.MeanPool')`` (default), ``cledi.GeMPool``,
            ``cledi.AttentionPool``, ``cledi.CLSAttentionPool``; its ``in_channels`` defaults to the backbone's width.
        neck (dict, optional): Detail projector. Defaults to the global projector's architecture (own weights).
        head (dict, optional): Detail head, an objective (``cledi.InfoNCEHead``: predictor + temperature).
            Defaults to the global head's type and architecture (own weights).
        shared_head (bool): Use the global projector and predictor themselves (one embedding space, as iBOT's
            released recipe shares its head between CLS and patches) instead of own ones. Defaults to False.
        views (str): Which views give detail queries: ``'global'`` (the two global views, default) or ``'all'``
            (local views too: each local view's detail vector against the global views' detail keys).
        local_window (int, optional): The online detail vector pools only a random ``w x w`` square of the patch
            grid (one per image), the keys pool all patches: a local-to-global match in token space. Defaults to
            None (all patches).
        out_index (int): Which backbone output the patch tokens come from. Defaults to -1 (the last block).
        backbone (dict, optional): A separate ViT for the detail part only. Defaults to None (the shared
            backbone, whose patch tokens the loss then trains directly).
        loss_weight (float): lambda. Defaults to 1.0.
        warmup (float): Fraction of training over which lambda rises from 0. Defaults to 0.0.
    """

    def __init__(self,
                 pool: Union[dict, nn.Module] = dict(type='cledi.MeanPool'),
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 shared_head: bool = False,
                 views: Literal['global', 'all'] = 'global',
                 local_window: Optional[int] = None,
                 out_index: int = -1,
                 backbone: Optional[dict] = None,
                 loss_weight: float = 1.0,
                 warmup: float = 0.0,
                 global_neck: Optional[dict] = None,
                 global_head: Optional[dict] = None,
                 in_channels: Optional[int] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(loss_weight, warmup, init_cfg=init_cfg)
        if views not in ('global', 'all'):
            raise ValueError(f"views {views!r} is not one of 'global', 'all'")
        if local_window is not None and local_window < 1:
            raise ValueError(f'local_window must be None or a window side >= 1, got {local_window}')
        build_embedding(self, pool, neck, head, shared_head, global_neck, global_head, in_channels)
        self.backbone = build_module(backbone)
        self.views = views
        self.local_window = local_window
        self.out_index = out_index

    def vectors(self, inputs: DetailInputs):
        """Predicted detail queries per query view and detail keys per global view, with the head scoring them."""
        query_views = range(len(inputs.momentum)) if self.views == 'global' else range(len(inputs.online))
        return detail_vectors(self, inputs, query_views, self.local_window)

    def forward(self, inputs: DetailInputs) -> DetailOutput:
        queries, keys, head = self.vectors(inputs)
        loss = self.weight(inputs.progress) * head.contrast(queries, keys, inputs.progress)
        return DetailOutput(dict(loss_detail=loss), queries, keys, head)


def view_tokens(encoded: EncodedViews, view: int, out_index: int = -1,
                backbone: Optional[nn.Module] = None) -> Tuple[torch.Tensor, torch.Tensor]:
    """CLS (B, C) and patch tokens (B, N, C) of a view: from the shared pass, or through a part's own backbone."""
    if backbone is None:
        return encoded.cls(view), encoded.patches(view, out_index)
    tokens = backbone(encoded.images[view])[out_index]
    return tokens[:, 0], tokens[:, encoded.num_extra_tokens:]


def detail_vectors(part: DetailPart, inputs: DetailInputs, query_views: Sequence[int],
                   window: Optional[int] = None) -> Tuple[List[torch.Tensor], List[torch.Tensor], nn.Module]:
    """Whole-view detail vectors of an embedding part (pooled patch tokens, projected): the predicted queries of
    ``query_views`` (each pooling a random ``window x window`` square, or all patches) and the momentum keys of the
    global views, with the head that scores them."""
    neck, head, momentum_neck = part.embedding(inputs)
    backbone, momentum_backbone = getattr(part, 'backbone', None), inputs.momentum_modules.get('backbone')
    queries = []
    for view in query_views:
        cls_token, patches = view_tokens(inputs.online, view, part.out_index, backbone)
        if window is not None:
            patches = local_window(patches, inputs.online.grids[view], window)
        queries.append(head.predict(neck((part.pool(patches, cls_token), ))[0]))
    keys = []
    with torch.no_grad():
        for view in range(len(inputs.momentum)):
            cls_token, patches = view_tokens(inputs.momentum, view, part.out_index, momentum_backbone)
            keys.append(momentum_neck((inputs.momentum_modules['aggregator'](patches, cls_token), ))[0])
    return queries, keys, head
