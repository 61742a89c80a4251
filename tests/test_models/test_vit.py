import pytest
import torch

from cledi.models import ViT


def test_mocov3_small_is_384d_12_heads():
    vit = ViT(arch='small', img_size=32, patch_size=16)
    assert vit.embed_dims == 384 and vit.num_layers == 12
    assert vit.layers[0].attn.num_heads == 12


def test_raw_output_sincos_and_frozen_projection():
    vit = ViT(arch=dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64),
              img_size=32, patch_size=4, frozen_patch_embed=True)
    vit.init_weights()
    out = vit(torch.randn(2, 3, 32, 32))
    assert len(out) == 1 and out[0].shape == (2, 1 + 64, 32)
    cls_token, patch_tokens = vit.split_tokens(out[0])
    assert cls_token.shape == (2, 32) and patch_tokens.shape == (2, 64, 32)
    # sin-cos position embedding: fixed, non-zero, CLS slot zero
    assert not vit.pos_embed.requires_grad
    assert vit.pos_embed[0, 1:].abs().sum() > 0 and vit.pos_embed[0, 0].abs().sum() == 0
    assert not any(p.requires_grad for p in vit.patch_embed.parameters())


def test_unknown_arch_names_the_valid_ones():
    with pytest.raises(ValueError, match="'giant'.*'base'.*'huge'.*'large'.*'small'"):
        ViT(arch='giant')


def test_layer_depth_for_layer_decay():
    vit = ViT(arch='nano', img_size=32, patch_size=8)
    assert vit.get_layer_depth('backbone.patch_embed.projection.weight', 'backbone.') == (0, 6)
    assert vit.get_layer_depth('backbone.layers.2.attn.qkv.weight', 'backbone.') == (3, 6)


def test_the_cpu_bf16_attention_is_the_same_function_as_torchs_kernel():
    """cledi's attention (two bf16 matrix products on a CPU) against torch's fused kernel: the same values and
    the same loss of a fixed batch, within bf16 rounding."""
    import torch.nn.functional as F
    from mmpretrain.models.utils.attention import MultiheadAttention

    from cledi.models.utils import attention

    from ..helpers import build_model, tiny_cledi_config
    generator = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(8, 4, 65, 32, generator=generator) for _ in range(3))
    expected = F.scaled_dot_product_attention(q, k, v)
    got = attention(q.bfloat16(), k.bfloat16(), v.bfloat16())
    assert got.dtype == torch.bfloat16
    torch.testing.assert_close(got.float(), expected, atol=3e-2, rtol=3e-2)
    assert torch.equal(attention(q, k, v), expected)  # float32 keeps torch's kernel

    torch.manual_seed(0)
    model = build_model(tiny_cledi_config().model)
    views = [torch.randn(16, 3, 32, 32, generator=generator) for _ in range(2)]
    losses = []
    for kernel in (attention, F.scaled_dot_product_attention):
        for module in model.modules():
            if isinstance(module, MultiheadAttention):
                module.scaled_dot_product_attention = kernel
        model.momentum_encoder.schedule(0, 1, starts_step=False)  # no EMA: the same weights for both losses
        with torch.autocast('cpu', dtype=torch.bfloat16):
            losses.append(sum(model.loss(views, None).values()).float())
    torch.testing.assert_close(losses[0], losses[1], rtol=1e-2, atol=0)
