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
