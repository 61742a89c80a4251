"""Poolings of a ViT's patch tokens into one vector per image: (B, N, C) -> (B, C), one class per pooling.

Each is chosen by ``type=`` (``cledi.MeanPool``, ``cledi.GeMPool``, ``cledi.AttentionPool``,
``cledi.CLSAttentionPool``) and called as ``pool(patch_tokens, cls_token)``; the CLS token (B, C) is used only by
the poolings that attend from it. ``norm=True`` layer-norms the tokens first (for tokens of an intermediate block,
which are not normed).
"""
from typing import Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from cledi.registry import MODELS


class TokenPooling(BaseModule):
    """Base of the poolings: the optional LayerNorm and the shape check."""

    def __init__(self, in_channels: Optional[int] = None, norm: bool = False,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if norm and in_channels is None:
            raise ValueError(f'{type(self).__name__}(norm=True) needs in_channels (the token width)')
        self.norm = nn.LayerNorm(in_channels, eps=1e-6) if norm else nn.Identity()

    def forward(self, patch_tokens: torch.Tensor, cls_token: Optional[torch.Tensor] = None) -> torch.Tensor:
        if patch_tokens.dim() != 3:
            raise ValueError(f'{type(self).__name__} expects patch tokens of shape (B, N, C), got '
                             f'{tuple(patch_tokens.shape)}')
        return self.pool(self.norm(patch_tokens), cls_token)

    def pool(self, tokens: torch.Tensor, cls_token: Optional[torch.Tensor]) -> torch.Tensor:
        raise NotImplementedError


@MODELS.register_module()
class MeanPool(TokenPooling):
    """The average of the patch tokens: parameter-free and order-invariant (CL-EDI's default detail vector)."""

    def pool(self, tokens, cls_token=None):
        return tokens.mean(dim=1)


@MODELS.register_module()
class GeMPool(TokenPooling):
    """Generalised mean ``(mean_i max(x_i, eps)^p)^(1/p)`` per channel with a learnable exponent ``p >= 1``
    (``p = 1``: the mean of the positive parts; ``p -> inf``: max pooling). Order-invariant.

    Args:
        p (float): Initial exponent. Defaults to 3.0.
        eps (float): Clamp floor (a fractional power needs non-negative inputs). Defaults to 1e-6.
    """

    def __init__(self, p: float = 3.0, eps: float = 1e-6, **kwargs) -> None:
        super().__init__(**kwargs)
        self.p = nn.Parameter(torch.tensor(float(p)))
        self.eps = eps

    def pool(self, tokens, cls_token=None):
        p = self.p.clamp(min=1.0)
        return tokens.clamp(min=self.eps).pow(p).mean(dim=1).pow(1.0 / p)


@MODELS.register_module()
class AttentionPool(TokenPooling):
    """Attention pooling: ``num_queries`` learnable queries attend over the (layer-normed) patch tokens with
    ``num_heads`` heads; the query outputs are averaged. The queries learn which details to gather.

    Args:
        in_channels (int): Token width C.
        num_queries (int): Learnable queries. Defaults to 1.
        num_heads (int): Attention heads. Defaults to 4.
    """

    def __init__(self, in_channels: int, num_queries: int = 1, num_heads: int = 4, **kwargs) -> None:
        super().__init__(in_channels=in_channels, **kwargs)
        if in_channels % num_heads != 0:
            raise ValueError(f'in_channels={in_channels} is not divisible by num_heads={num_heads}')
        self.num_queries = num_queries
        self.queries = nn.Parameter(torch.zeros(1, num_queries, in_channels))
        self.key_norm = nn.LayerNorm(in_channels, eps=1e-6)
        self.attention = nn.MultiheadAttention(in_channels, num_heads, batch_first=True)

    def init_weights(self) -> None:
        super().init_weights()
        nn.init.trunc_normal_(self.queries, std=0.02)

    def _queries(self, tokens, cls_token):
        return self.queries.expand(tokens.shape[0], -1, -1)  # (B, Q, C)

    def pool(self, tokens, cls_token=None):
        keys = self.key_norm(tokens)
        pooled, _ = self.attention(self._queries(tokens, cls_token), keys, keys, need_weights=False)
        return pooled.mean(dim=1)  # (B, Q, C) -> (B, C)

    @torch.no_grad()
    def attention_weights(self, patch_tokens: torch.Tensor, cls_token: Optional[torch.Tensor] = None):
        """Query-to-patch attention per head, averaged over the queries: (B, N, C) -> (B, heads, N)."""
        tokens = self.norm(patch_tokens)
        keys = self.key_norm(tokens)
        _, weights = self.attention(self._queries(tokens, cls_token), keys, keys, need_weights=True,
                                    average_attn_weights=False)
        return weights.mean(dim=2)  # (B, heads, Q, N) -> (B, heads, N)


@MODELS.register_module()
class CLSAttentionPool(TokenPooling):
    """CLS-led pooling: the patch tokens averaged with the weights of the CLS token's attention to them,

        w = softmax_i(<cls, x_i> / sqrt(C)),   v = sum_i w_i x_i,

    one head, no parameters of its own. The query is the CLS token itself (not a learnt query), so a loss on the
    pooled vector reaches the CLS token through the attention weights: the detail module then shapes what CLS
    looks at. (SelfPatch and ADCLR run their patch-level aggregation through the CLS token too.)
    """

    def pool(self, tokens, cls_token=None):
        return (self.attention_weights(tokens, cls_token, normed=True)[:, 0, :, None] * tokens).sum(dim=1)

    def attention_weights(self, patch_tokens: torch.Tensor, cls_token: Optional[torch.Tensor] = None,
                          normed: bool = False) -> torch.Tensor:
        """The CLS token's weights over the patches: (B, N, C), (B, C) -> (B, 1, N)."""
        if cls_token is None:
            raise ValueError('CLSAttentionPool attends from the CLS token: call it as pool(patch_tokens, cls_token)')
        tokens = patch_tokens if normed else self.norm(patch_tokens)
        logits = torch.einsum('bnc,bc->bn', tokens, cls_token) * tokens.shape[-1]**-0.5
        return F.softmax(logits, dim=-1)[:, None]


POOLINGS = {'mean': 'cledi.MeanPool', 'gem': 'cledi.GeMPool', 'attn': 'cledi.AttentionPool'}
_OPTIONS = {'mean': (), 'gem': ('gem_p', 'gem_eps'), 'attn': ('num_queries', 'num_heads')}


@MODELS.register_module()
def PatchAggregator(mode: str = 'mean', **kwargs) -> TokenPooling:
    """The former one-class aggregator, ``mode`` in mean / gem / attn: builds the pooling of that name, so configs
    written for it (``dict(type='cledi.PatchAggregator', mode='attn', num_queries=4)``) keep working. The options
    of the other modes, which it used to accept and ignore, are dropped."""
    if mode not in POOLINGS:
        raise ValueError(f"aggregator mode '{mode}' is not one of {', '.join(repr(m) for m in POOLINGS)}")
    if mode == 'attn' and kwargs.get('in_channels') is None:
        raise ValueError("PatchAggregator(mode='attn') needs in_channels (the token width)")
    options = {key: value for key, value in kwargs.items()
               if key in ('in_channels', 'norm', 'init_cfg') + _OPTIONS[mode]}
    if mode == 'gem':
        options = {key.replace('gem_', ''): value for key, value in options.items()}
    if mode != 'attn' and not options.get('norm'):
        options.pop('in_channels', None)
    return MODELS.build(dict(type=POOLINGS[mode], **options))
