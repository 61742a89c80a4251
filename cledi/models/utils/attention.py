"""Scaled dot-product attention, by the kernel that is fastest for the device and precision at hand."""
import torch
import torch.nn.functional as F


def attention(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, dropout_p: float = 0.0) -> torch.Tensor:
    """``softmax(q k^T / sqrt(d)) v`` over (B, heads, N, d) tensors, as ``F.scaled_dot_product_attention``.

    On a CPU in bfloat16 (bf16 autocast) it is computed as two batched matrix products and a softmax: there
    torch's fused CPU kernel (flash attention) is 7x slower forward + backward for a ViT's short sequences (65
    tokens, 32-d heads, batch 256: 137 ms vs 20 ms on a Zen 4 core pair; ``docs/benchmarks.md``, "Speed"). In
    float32 and on GPUs the fused kernel is the faster one and is used. Same function either way (up to rounding).
    """
    if query.device.type == 'cpu' and query.dtype == torch.bfloat16:
        weights = (query @ key.transpose(-2, -1)) * query.shape[-1]**-0.5  # (B, h, N, N)
        weights = weights.softmax(dim=-1)
        if dropout_p > 0:
            weights = F.dropout(weights, dropout_p)
        return weights @ value
    return F.scaled_dot_product_attention(query, key, value, dropout_p=dropout_p)
