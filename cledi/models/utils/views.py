"""The views of a batch through one ViT: tokens per view, with their patch grids."""
from dataclasses import dataclass
from typing import List, Optional, Tuple

import torch
import torch.nn as nn


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


def encode_views(backbone: nn.Module, views: List[torch.Tensor], masks: Optional[List[Optional[torch.Tensor]]] = None,
                 mask_token: Optional[torch.Tensor] = None) -> EncodedViews:
    """Views (B, 3, H_v, W_v) through one ViT (raw token outputs); the local views (after the two global ones) of
    one size go through it as one batch, then are split per view. ``masks``: per global view, None or a (B, N) bool
    mask of the patch embeddings the ViT replaces by ``mask_token`` (iBOT's masked student views)."""
    outs = [None] * len(views)
    sizes = {}
    for index, view in enumerate(views):
        sizes.setdefault(tuple(view.shape[-2:]), []).append(index)
    for indices in sizes.values():
        if len(indices) > 1 and indices[0] >= 2:  # local views: one pass, split per view
            batched = backbone(torch.cat([views[i] for i in indices]))
            for offset, index in enumerate(indices):
                outs[index] = tuple(out.chunk(len(indices))[offset] for out in batched)
        else:
            for index in indices:
                mask = masks[index] if masks is not None and index < len(masks) else None
                outs[index] = tuple(backbone(views[index]) if mask is None else
                                    backbone(views[index], mask=mask, mask_token=mask_token))
    patch = backbone.patch_size
    grids = [(view.shape[-2] // patch, view.shape[-1] // patch) for view in views]
    return EncodedViews(list(views), outs, grids, backbone.num_extra_tokens)
