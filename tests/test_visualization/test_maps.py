"""Attention, similarity and curve extraction behind tools/visualization/."""
import json
import math

import pytest
import torch
from mmpretrain.models.utils.attention import MultiheadAttention

from cledi.models import ViT
from cledi.models.necks import AttentionPool, MeanPool
from cledi.visualization import (pool_attention_maps, attention_weights, cls_attention_maps,
                                 last_block_attention, patch_grid, patch_index, patch_similarity_maps,
                                 read_scalars, scalar_curves)

from ..conftest import TINY_ARCH


def test_attention_weights_of_a_hand_built_layer_are_the_known_softmax():
    # q = k = the input, per head: the weights must be softmax(x_h x_h^T / sqrt(d)) of each head's slice
    layer = MultiheadAttention(embed_dims=4, num_heads=2)
    with torch.no_grad():
        layer.qkv.weight.copy_(torch.cat([torch.eye(4), torch.eye(4), torch.eye(4)]))
        layer.qkv.bias.zero_()
    tokens = torch.tensor([[[1.0, 0.0, 2.0, 0.0], [0.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 3.0]]])
    weights = attention_weights(layer, tokens)
    assert weights.shape == (1, 2, 3, 3)
    for head in range(2):
        part = tokens[0, :, 2 * head:2 * head + 2]
        expected = (part @ part.T / math.sqrt(2)).softmax(dim=-1)
        torch.testing.assert_close(weights[0, head], expected)
    # row 0 of head 0, by hand: logits (1, 0, 1) / sqrt(2)
    e = math.exp(1 / math.sqrt(2))
    torch.testing.assert_close(weights[0, 0, 0], torch.tensor([e, 1.0, e]) / (2 * e + 1))


def test_attention_weights_reproduce_the_layers_output():
    torch.manual_seed(0)
    layer = MultiheadAttention(embed_dims=8, num_heads=2).eval()
    tokens = torch.randn(2, 5, 8)
    weights = attention_weights(layer, tokens)
    values = layer.qkv(tokens).reshape(2, 5, 3, 2, 4).permute(2, 0, 3, 1, 4)[2]
    mixed = (weights @ values).transpose(1, 2).reshape(2, 5, 8)
    torch.testing.assert_close(layer.proj(mixed), layer(tokens))


def test_cls_attention_maps_are_probabilities_on_the_patch_grid():
    torch.manual_seed(0)
    vit = ViT(arch=dict(TINY_ARCH), img_size=32, patch_size=8)
    vit.init_weights()
    vit.eval()
    inputs = torch.randn(3, 3, 32, 48)  # a non-square input: 4 x 6 patches
    grid = patch_grid(vit, inputs)
    attention, tokens = last_block_attention(vit, inputs)
    assert grid == (4, 6)
    assert attention.shape == (3, 2, 25, 25) and tokens.shape == (3, 25, 32)
    torch.testing.assert_close(attention.sum(dim=-1), torch.ones(3, 2, 25))
    maps = cls_attention_maps(attention, grid)
    assert maps.shape == (3, 2, 4, 6)
    torch.testing.assert_close(maps.sum(dim=(-2, -1)), torch.ones(3, 2))
    # the CLS row restricted to the patches, renormalised
    torch.testing.assert_close(maps[1, 0].flatten(), attention[1, 0, 0, 1:] / attention[1, 0, 0, 1:].sum())


def test_pool_attention_maps_reproduce_the_poolings_output():
    torch.manual_seed(0)
    pool = AttentionPool(in_channels=8, num_queries=1, num_heads=2)
    pool.init_weights()
    patch_tokens = torch.randn(2, 6, 8)
    maps = pool_attention_maps(pool, patch_tokens, (2, 3))
    assert maps.shape == (2, 2, 2, 3)
    torch.testing.assert_close(maps.sum(dim=(-2, -1)), torch.ones(2, 2))
    # with one query the maps are the attention weights: weighting the values by them gives the output back
    attention = pool.attention
    keys = pool.key_norm(patch_tokens)
    values = (keys @ attention.in_proj_weight[16:].T + attention.in_proj_bias[16:]).reshape(2, 6, 2, 4)
    mixed = torch.einsum('bhn,bnhd->bhd', maps.flatten(2), values).reshape(2, 8)
    torch.testing.assert_close(attention.out_proj(mixed), pool(patch_tokens))
    with pytest.raises(ValueError, match='pools with MeanPool'):
        pool_attention_maps(MeanPool(), patch_tokens, (2, 3))


def test_patch_similarity_is_one_at_the_reference_patch_and_bad_patches_name_the_grid():
    tokens = torch.randn(2, 1 + 6, 4)
    index = patch_index((2, 3), 1, 2)
    maps = patch_similarity_maps(tokens, tokens[0, 1 + index], (2, 3))
    assert index == 5 and maps.shape == (2, 2, 3)
    assert maps[0, 1, 2] == pytest.approx(1.0, abs=1e-6)
    assert maps.abs().max() <= 1.0 + 1e-6
    assert patch_index((4, 6)) == 2 * 6 + 3  # the centre
    with pytest.raises(ValueError, match='outside the 2x3 patch grid'):
        patch_index((2, 3), 2, 0)


def test_scalar_curves_place_iterations_in_epochs_and_a_resumed_run_wins(tmp_path):
    first, second = tmp_path / '20260101_000000' / 'vis_data', tmp_path / '20260101_010000' / 'vis_data'
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    records = [dict(loss=4.0, epoch=1, iter=5, step=5), dict(loss=3.0, epoch=1, iter=10, step=10),
               {'knn/top1_k20': 30.0, 'epoch': 1, 'step': 1}, dict(loss=2.5, epoch=2, iter=15, step=15)]
    (first / 'scalars.json').write_text('\n'.join(json.dumps(r) for r in records) + '\n')
    resumed = [dict(loss=2.0, epoch=2, iter=15, step=15), dict(loss=1.0, epoch=2, iter=20, step=20),
               {'knn/top1_k20': 35.0, 'epoch': 2, 'step': 2}]
    (second / 'scalars.json').write_text('\n'.join(json.dumps(r) for r in resumed) + '\n')
    curves = scalar_curves(read_scalars(str(tmp_path)), ['loss', 'knn/top1_k20', 'absent'])
    assert curves['loss'] == ([0.5, 1.0, 1.5, 2.0], [4.0, 3.0, 2.0, 1.0])  # 10 iterations per epoch
    assert curves['knn/top1_k20'] == ([1, 2], [30.0, 35.0])
    assert 'absent' not in curves
    with pytest.raises(FileNotFoundError, match='no \\*/vis_data/scalars.json'):
        read_scalars(str(tmp_path / 'nothing'))
