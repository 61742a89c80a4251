"""Patch aggregators: pool a ViT's patch tokens (B, N, C) into one detail vector per image (B, C)."""
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from cledi.registry import MODELS

AGGREGATOR_MODES = ('mean', 'gem', 'attn')


@MODELS.register_module()
class PatchAggregator(BaseModule):
    """Aggregate patch tokens into a detail vector for CL-EDI's detail module.

    Modes:

    - ``'mean'``: average of the patch tokens. Parameter-free, order-invariant.
    - ``'gem'``: generalised mean ``(mean_i relu(x_i)^p)^(1/p)`` per channel with a learnable exponent ``p``
      (``p=1`` is the mean of the positive parts, ``p -> inf`` is max pooling). Tokens are clamped at ``eps``
      first because a fractional power needs non-negative inputs. Order-invariant.
    - ``'attn'``: attention pooling: ``num_queries`` learnable queries attend over the (layer-normed) patch
      tokens with ``num_heads`` heads; the query outputs are averaged. The queries learn which details to
      gather, which the first two modes cannot.

    Args:
        mode (str): One of ``'mean'``, ``'gem'``, ``'attn'``. Defaults to ``'mean'``.
        in_channels (int, optional): Token width C. Required by ``'attn'``.
        num_queries (int): Learnable queries of ``'attn'``. Defaults to 1.
        num_heads (int): Attention heads of ``'attn'``. Defaults to 4.
        gem_p (float): Initial GeM exponent. Defaults to 3.0.
        gem_eps (float): Clamp floor of GeM. Defaults to 1e-6.
        norm (bool): LayerNorm the tokens before pooling (useful when the tokens are taken from an
            intermediate block, whose outputs are not normed). Defaults to False.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 mode: str = 'mean',
                 in_channels: Optional[int] = None,
                 num_queries: int = 1,
                 num_heads: int = 4,
                 gem_p: float = 3.0,
                 gem_eps: float = 1e-6,
                 norm: bool = False,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if mode not in AGGREGATOR_MODES:
            raise ValueError(f"aggregator mode '{mode}' is not one of {', '.join(repr(m) for m in AGGREGATOR_MODES)}")
        if (mode == 'attn' or norm) and in_channels is None:
            raise ValueError(f"PatchAggregator(mode='{mode}', norm={norm}) needs in_channels (the token width)")
        self.mode = mode
        self.norm = nn.LayerNorm(in_channels, eps=1e-6) if norm else nn.Identity()
        if mode == 'gem':
            self.gem_p = nn.Parameter(torch.tensor(float(gem_p)))
            self.gem_eps = gem_eps
        elif mode == 'attn':
            if in_channels % num_heads != 0:
                raise ValueError(f'in_channels={in_channels} is not divisible by num_heads={num_heads}')
            self.num_queries = num_queries
            self.queries = nn.Parameter(torch.zeros(1, num_queries, in_channels))
            self.key_norm = nn.LayerNorm(in_channels, eps=1e-6)
            self.attention = nn.MultiheadAttention(in_channels, num_heads, batch_first=True)

    def init_weights(self) -> None:
        super().init_weights()
        if self.mode == 'attn':
            nn.init.trunc_normal_(self.queries, std=0.02)

    def forward(self, patch_tokens: torch.Tensor) -> torch.Tensor:
        """Aggregate (B, N, C) patch tokens into (B, C)."""
        if patch_tokens.dim() != 3:
            raise ValueError(f'PatchAggregator expects patch tokens of shape (B, N, C), got {tuple(patch_tokens.shape)}')
        tokens = self.norm(patch_tokens)
        if self.mode == 'mean':
            return tokens.mean(dim=1)
        if self.mode == 'gem':
            p = self.gem_p.clamp(min=1.0)
            return tokens.clamp(min=self.gem_eps).pow(p).mean(dim=1).pow(1.0 / p)
        # attention pooling: (1, Q, C) queries over (B, N, C) keys -> (B, Q, C) -> (B, C)
        keys = self.key_norm(tokens)
        queries = self.queries.expand(tokens.shape[0], -1, -1)
        pooled, _ = self.attention(queries, keys, keys, need_weights=False)
        return pooled.mean(dim=1)
