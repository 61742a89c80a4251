import pytest
import torch

from cledi.models import AGGREGATOR_MODES, PatchAggregator


@pytest.mark.parametrize('mode', AGGREGATOR_MODES)
def test_output_shape(mode):
    aggregator = PatchAggregator(mode=mode, in_channels=32, num_queries=3, num_heads=4)
    aggregator.init_weights()
    assert aggregator(torch.randn(5, 16, 32)).shape == (5, 32)


@pytest.mark.parametrize('mode', ['mean', 'gem'])
def test_order_invariant(mode):
    aggregator = PatchAggregator(mode=mode, in_channels=8)
    tokens = torch.randn(3, 10, 8)
    shuffled = tokens[:, torch.randperm(10)]
    torch.testing.assert_close(aggregator(tokens), aggregator(shuffled))


def test_mean_and_gem_values():
    tokens = torch.tensor([[[1.0, 4.0], [3.0, 2.0]]])  # (1, 2 tokens, 2 channels)
    torch.testing.assert_close(PatchAggregator('mean')(tokens), torch.tensor([[2.0, 3.0]]))
    gem = PatchAggregator('gem', gem_p=2.0)(tokens)
    torch.testing.assert_close(gem, torch.tensor([[(5.0) ** 0.5, (10.0) ** 0.5]]))


def test_attn_uses_the_tokens_and_trains():
    aggregator = PatchAggregator(mode='attn', in_channels=16, num_queries=2, num_heads=2)
    aggregator.init_weights()
    tokens = torch.randn(4, 9, 16, requires_grad=True)
    out = aggregator(tokens)
    out.sum().backward()
    assert tokens.grad.abs().sum() > 0
    assert aggregator.queries.grad is not None and aggregator.queries.grad.abs().sum() > 0


def test_unknown_mode_names_the_valid_ones():
    with pytest.raises(ValueError, match="'maxx'.*'mean', 'gem', 'attn'"):
        PatchAggregator(mode='maxx')


def test_attn_needs_in_channels():
    with pytest.raises(ValueError, match='in_channels'):
        PatchAggregator(mode='attn')
