"""The pre-trained ViT as a detection backbone (ViTDet-style): one stride-P feature map, optional window attention."""
import math
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmpretrain.models.utils import resize_pos_embed

from cledi.models.backbones import ViT
from cledi.registry import MODELS


def window_partition(tokens: torch.Tensor, hw: Tuple[int, int], window_size: int):
    """(B, H*W, C) -> (B * num_windows, window_size**2, C), zero-padding H and W up to multiples of the window."""
    batch, _, channels = tokens.shape
    height, width = hw
    grid = tokens.view(batch, height, width, channels)
    pad_h, pad_w = (-height) % window_size, (-width) % window_size
    grid = F.pad(grid, (0, 0, 0, pad_w, 0, pad_h))
    padded_h, padded_w = height + pad_h, width + pad_w
    windows = grid.view(batch, padded_h // window_size, window_size, padded_w // window_size, window_size, channels)
    windows = windows.permute(0, 1, 3, 2, 4, 5).reshape(-1, window_size * window_size, channels)
    return windows, (padded_h, padded_w)


def window_unpartition(windows: torch.Tensor, padded_hw: Tuple[int, int], hw: Tuple[int, int], window_size: int,
                       batch: int) -> torch.Tensor:
    """Inverse of :func:`window_partition`: back to (B, H*W, C) without the padding."""
    padded_h, padded_w = padded_hw
    channels = windows.shape[-1]
    grid = windows.view(batch, padded_h // window_size, padded_w // window_size, window_size, window_size, channels)
    grid = grid.permute(0, 1, 3, 2, 4, 5).reshape(batch, padded_h, padded_w, channels)
    return grid[:, :hw[0], :hw[1]].reshape(batch, hw[0] * hw[1], channels)


@MODELS.register_module()
class ViTDetBackbone(ViT):
    """cledi's ViT for MMDetection: returns one (B, C, H/P, W/P) feature map for :class:`SimpleFPN`.

    Parameter names are those of :class:`cledi.models.ViT`, so a CL-EDI or MoCo v3 pre-training checkpoint
    loads with ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')`` (``checkpoint=None`` or
    ``init_cfg=None``: random initialisation). Loading is strict:
    a backbone weight missing from the checkpoint is an error naming it. The CLS token is dropped (as ViTDet)
    and the position embedding is interpolated to the detection input size (on load and per input size).

    Args:
        window_size (int): Window attention in all blocks except ``global_blocks`` (ViTDet). 0 = global
            attention everywhere. Defaults to 0.
        global_blocks (Sequence[int]): Blocks that keep global attention. Defaults to ().
        **kwargs: :class:`cledi.models.ViT` arguments (``arch``, ``img_size``, ``patch_size``,
            ``drop_path_rate``, ...). ``img_size`` is the detection input size the position embedding is
            built for.
    """

    def __init__(self,
                 window_size: int = 0,
                 global_blocks: Sequence[int] = (),
                 init_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        kwargs.setdefault('out_type', 'featmap')
        kwargs.setdefault('pos_embed_type', 'learned')  # fine-tuned; initialised from the checkpoint
        super().__init__(with_cls_token=False, init_cfg=init_cfg, **kwargs)
        if window_size < 0:
            raise ValueError(f'window_size must be >= 0, got {window_size}')
        bad = [b for b in global_blocks if not 0 <= b < self.num_layers]
        if bad:
            raise ValueError(f'global_blocks {bad} are outside 0..{self.num_layers - 1}')
        self.window_size = window_size
        self.global_blocks = set(global_blocks)

    def _prepare_pos_embed(self, state_dict, prefix, *args, **kwargs):
        """Drop the pre-training CLS token and its position slot, then let MMPretrain resize the grid."""
        state_dict.pop(prefix + 'cls_token', None)
        pos_embed = state_dict.get(prefix + 'pos_embed')
        if pos_embed is not None:
            side = math.isqrt(pos_embed.shape[1] - 1)
            if side * side == pos_embed.shape[1] - 1:  # (1, 1 + h*w, C): a CLS slot first
                state_dict[prefix + 'pos_embed'] = pos_embed[:, 1:]
        super()._prepare_pos_embed(state_dict, prefix, *args, **kwargs)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        batch = x.shape[0]
        tokens, hw = self.patch_embed(x)  # (B, 3, H, W) -> (B, h*w, C)
        tokens = tokens + resize_pos_embed(
            self.pos_embed, self.patch_resolution, hw, mode=self.interpolate_mode, num_extra_tokens=0)
        tokens = self.pre_norm(self.drop_after_pos(tokens))
        for index, layer in enumerate(self.layers):
            if self.window_size and index not in self.global_blocks:
                windows, padded_hw = window_partition(tokens, hw, self.window_size)
                tokens = window_unpartition(layer(windows), padded_hw, hw, self.window_size, batch)
            else:
                tokens = layer(tokens)
        if self.final_norm:
            tokens = self.ln1(tokens)
        # (B, h*w, C) -> (B, C, h, w)
        return (tokens.transpose(1, 2).reshape(batch, -1, *hw), )
