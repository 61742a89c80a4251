"""What a ViT looks at, as maps on its patch grid: CLS attention, aggregator attention, patch similarity.

MMPretrain's attention computes ``softmax(q k^T / sqrt(d)) v`` in one fused call and never returns the weights,
so :func:`attention_weights` recomputes them from the attention layer's own ``qkv`` projection and the input the
layer received (caught by a forward pre-hook). Nothing is changed in the model, and the weights are exactly those
of the forward pass: a test multiplies them with the values and gets the layer's output back.
"""
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from cledi.models.backbones.vit import split_tokens


def patch_grid(backbone: nn.Module, inputs: torch.Tensor) -> Tuple[int, int]:
    """(rows, columns) of the patch grid a ViT makes of ``inputs`` (B, 3, H, W)."""
    stride = backbone.patch_embed.projection.stride
    return inputs.shape[-2] // stride[0], inputs.shape[-1] // stride[1]


def attention_weights(attention: nn.Module, tokens: torch.Tensor) -> torch.Tensor:
    """Attention probabilities of an MMPretrain ``MultiheadAttention`` for its input ``tokens``.

    Args:
        attention: The layer (``qkv``, ``num_heads``, ``head_dims``; the default scale ``head_dims ** -0.5``).
        tokens (Tensor): What the layer receives, (B, T, C).

    Returns:
        Tensor: (B, heads, T, T); every row sums to 1 over the keys.
    """
    batch, length, _ = tokens.shape
    qkv = attention.qkv(tokens).reshape(batch, length, 3, attention.num_heads, attention.head_dims)
    query, key = qkv.permute(2, 0, 3, 1, 4)[:2]  # 2 x (B, heads, T, head_dims)
    logits = query @ key.transpose(-2, -1) * attention.head_dims**-0.5
    return logits.softmax(dim=-1)


@torch.no_grad()
def last_block_attention(backbone: nn.Module, inputs: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """The last block's attention and the backbone's output tokens for normalised ``inputs`` (B, 3, H, W).

    Returns:
        (attention (B, heads, 1 + N, 1 + N), tokens (B, 1 + N, C) of the last output; the backbone must be built
        with ``out_type='raw'``).
    """
    caught = {}
    hook = backbone.layers[-1].attn.register_forward_pre_hook(lambda module, args: caught.update(tokens=args[0]))
    try:
        tokens = backbone(inputs)[-1]
    finally:
        hook.remove()
    if tokens.dim() != 3:
        raise ValueError(f"the backbone returns shape {tuple(tokens.shape)}, not token sequences; build it with "
                         "out_type='raw'")
    return attention_weights(backbone.layers[-1].attn, caught['tokens']), tokens


def cls_attention_maps(attention: torch.Tensor, grid: Tuple[int, int], num_extra_tokens: int = 1) -> torch.Tensor:
    """CLS-to-patch attention per head on the patch grid: (B, heads, 1 + N, 1 + N) -> (B, heads, rows, cols).

    The CLS row is renormalised over the patches (the CLS token's attention to itself is left out), so each map
    sums to 1 and maps of different models compare on one scale.
    """
    cls_to_patches = attention[:, :, 0, num_extra_tokens:]  # (B, heads, N)
    cls_to_patches = cls_to_patches / cls_to_patches.sum(dim=-1, keepdim=True)
    return cls_to_patches.reshape(*cls_to_patches.shape[:2], *grid)


@torch.no_grad()
def pool_attention_maps(pool: nn.Module, patch_tokens: torch.Tensor, grid: Tuple[int, int],
                        cls_token: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Where an attention pooling of the detail part looks (``cledi.AttentionPool``: its queries, averaged;
    ``cledi.CLSAttentionPool``: the CLS token), per head.

    Args:
        pool: A pooling with ``attention_weights(patch_tokens, cls_token)``.
        patch_tokens (Tensor): (B, N, C) patch tokens, as the pooling receives them.
        grid: (rows, cols) with rows * cols = N.
        cls_token (Tensor, optional): (B, C), for poolings that attend from it.

    Returns:
        Tensor: (B, heads, rows, cols); each map sums to 1.
    """
    if not hasattr(pool, 'attention_weights'):
        raise ValueError(f'only an attention pooling has attention maps; this model pools with {type(pool).__name__}')
    weights = pool.attention_weights(patch_tokens, cls_token)  # (B, heads, N)
    return weights.reshape(weights.shape[0], weights.shape[1], *grid)


def patch_similarity_maps(tokens: torch.Tensor, reference: torch.Tensor, grid: Tuple[int, int]) -> torch.Tensor:
    """Cosine similarity of one reference patch feature to every patch of each image.

    Args:
        tokens (Tensor): (B, 1 + N, C) raw tokens of the images to map.
        reference (Tensor): (C,) the chosen patch's feature.
        grid: (rows, cols) of the patch grid.

    Returns:
        Tensor: (B, rows, cols) in [-1, 1].
    """
    _, patch_tokens = split_tokens(tokens)
    similarity = F.cosine_similarity(patch_tokens, reference.view(1, 1, -1), dim=-1)  # (B, N)
    return similarity.reshape(-1, *grid)


def patch_index(grid: Tuple[int, int], row: int = None, col: int = None) -> int:
    """Flat index of patch (row, col) of the grid; the centre patch when not given. Bad positions name the grid."""
    row = grid[0] // 2 if row is None else row
    col = grid[1] // 2 if col is None else col
    if not (0 <= row < grid[0] and 0 <= col < grid[1]):
        raise ValueError(f'patch ({row}, {col}) is outside the {grid[0]}x{grid[1]} patch grid; rows and columns '
                         f'count from 0')
    return row * grid[1] + col
