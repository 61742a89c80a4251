import math

import torch
import torch.nn as nn

from cledi.models import InfoNCEHead, infonce_loss


def test_infonce_matches_hand_computation():
    query = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    key = torch.tensor([[3.0, 0.0], [1.0, 1.0]])
    temperature = 0.5
    # normalised: q1=(1,0) q2=(0,1); k1=(1,0) k2=(1,1)/sqrt2
    s = 1 / math.sqrt(2)
    logits = [[1.0 / temperature, s / temperature], [0.0, s / temperature]]
    ce_row1 = -math.log(math.exp(logits[0][0]) / (math.exp(logits[0][0]) + math.exp(logits[0][1])))
    ce_row2 = -math.log(math.exp(logits[1][1]) / (math.exp(logits[1][0]) + math.exp(logits[1][1])))
    expected = (ce_row1 + ce_row2) / 2 * (2 * temperature)
    assert math.isclose(infonce_loss(query, key, temperature).item(), expected, rel_tol=1e-6)


def test_two_t_factor_scales_the_cross_entropy():
    torch.manual_seed(0)
    query, key = torch.randn(6, 4), torch.randn(6, 4)
    for temperature in (0.1, 0.2, 1.0):
        plain_ce = nn.functional.cross_entropy(
            nn.functional.normalize(query, dim=1) @ nn.functional.normalize(key, dim=1).t() / temperature,
            torch.arange(6))
        assert torch.isclose(infonce_loss(query, key, temperature), plain_ce * 2 * temperature)


def test_head_applies_predictor_and_no_gradient_reaches_the_key():
    predictor = nn.Linear(4, 4)

    class TupleWrapper(nn.Module):  # MMPretrain neck convention: tuple in, tuple out

        def __init__(self):
            super().__init__()
            self.linear = predictor

        def forward(self, x):
            return (self.linear(x[0]), )

    head = InfoNCEHead(TupleWrapper(), temperature=0.2)
    projection = torch.randn(3, 4, requires_grad=True)
    key = torch.randn(3, 4, requires_grad=True)
    loss = head.loss(projection, key)
    expected = infonce_loss(predictor(projection), key, 0.2)
    torch.testing.assert_close(loss, expected)
    loss.backward()
    assert projection.grad is not None and key.grad is None
