"""Poolings of the patch tokens (one class each): values computed by hand."""
import math

import pytest
import torch
import torch.nn as nn
from mmengine.registry import init_default_scope

from cledi.models import AttentionPool, CLSAttentionPool, GeMPool, MeanPool
from cledi.registry import MODELS


def test_mean_and_gem_values():
    tokens = torch.tensor([[[1.0, 4.0], [3.0, 2.0]]])  # (1, 2 tokens, 2 channels)
    torch.testing.assert_close(MeanPool()(tokens), torch.tensor([[2.0, 3.0]]))
    torch.testing.assert_close(GeMPool(p=2.0)(tokens), torch.tensor([[5.0**0.5, 10.0**0.5]]))
    shuffled = tokens[:, [1, 0]]
    torch.testing.assert_close(GeMPool()(shuffled), GeMPool()(tokens))  # order-invariant


def _identity_attention(pool: AttentionPool) -> None:
    """In- and out-projections set to the identity, so the attention is softmax(q . k / sqrt(C)) over the keys."""
    channels = pool.queries.shape[-1]
    with torch.no_grad():
        pool.attention.in_proj_weight.copy_(torch.eye(channels).repeat(3, 1))
        pool.attention.in_proj_bias.zero_()
        pool.attention.out_proj.weight.copy_(torch.eye(channels))
        pool.attention.out_proj.bias.zero_()


def test_attention_pool_weights_are_the_softmax_of_query_key_products():
    pool = AttentionPool(in_channels=2, num_queries=1, num_heads=1)
    _identity_attention(pool)
    with torch.no_grad():
        pool.queries.copy_(torch.tensor([[[2.0, 0.0]]]))
    # LayerNorm (weight 1, bias 0) of a 2-channel token (a, b) is (+1, -1) if a > b else (-1, +1), up to eps
    tokens = torch.tensor([[[3.0, 1.0], [0.0, 2.0], [5.0, 4.0]]])
    keys = torch.tensor([[1.0, -1.0], [-1.0, 1.0], [1.0, -1.0]])
    logits = [2.0 * k[0] / math.sqrt(2) for k in keys.tolist()]  # q . k / sqrt(C)
    weights = torch.tensor([math.exp(v) for v in logits])
    weights = weights / weights.sum()
    torch.testing.assert_close(pool.attention_weights(tokens)[0, 0], weights, atol=1e-4, rtol=0)
    torch.testing.assert_close(pool(tokens)[0], (weights[:, None] * keys).sum(0), atol=1e-4, rtol=0)


def test_cls_attention_pool_on_a_two_by_two_grid():
    """The CLS token attends to the 4 patches of a 2x2 grid with softmax(<cls, x_i> / sqrt(C))."""
    patches = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.0]]])  # (1, 4, 2)
    cls_token = torch.tensor([[2.0, 0.0]])
    logits = [2.0 / math.sqrt(2), 0.0, 2.0 / math.sqrt(2), -2.0 / math.sqrt(2)]
    weights = torch.tensor([math.exp(v) for v in logits])
    weights = weights / weights.sum()
    pool = CLSAttentionPool()
    torch.testing.assert_close(pool.attention_weights(patches, cls_token)[0, 0], weights)
    torch.testing.assert_close(pool(patches, cls_token)[0], (weights[:, None] * patches[0]).sum(0))
    # the loss on the pooled vector reaches the CLS token through the weights
    cls_token.requires_grad_(True)
    pool(patches, cls_token).sum().backward()
    assert cls_token.grad.abs().sum() > 0
    with pytest.raises(ValueError, match='attends from the CLS token'):
        pool(patches)


def test_attention_pool_trains_its_queries():
    pool = AttentionPool(in_channels=16, num_queries=2, num_heads=2)
    pool.init_weights()
    tokens = torch.randn(4, 9, 16, requires_grad=True)
    pool(tokens).sum().backward()
    assert tokens.grad.abs().sum() > 0 and pool.queries.grad.abs().sum() > 0


def test_the_former_aggregator_config_builds_the_pooling_of_its_mode():
    init_default_scope('mmpretrain')
    built = {mode: MODELS.build(dict(type='cledi.PatchAggregator', mode=mode, in_channels=8, num_heads=2))
             for mode in ('mean', 'gem', 'attn')}
    assert [type(m) for m in built.values()] == [MeanPool, GeMPool, AttentionPool]
    assert isinstance(MODELS.build(dict(type='cledi.PatchAggregator', mode='mean', norm=True, in_channels=8)).norm,
                      nn.LayerNorm)
    with pytest.raises(ValueError, match="'maxx' is not one of 'mean', 'gem', 'attn'"):
        MODELS.build(dict(type='cledi.PatchAggregator', mode='maxx'))
    with pytest.raises(ValueError, match='in_channels'):
        MODELS.build(dict(type='cledi.PatchAggregator', mode='attn'))
