import math

import torch
import torch.nn as nn

from cledi.models import InfoNCEHead, infonce_loss, multiview_infonce


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
    projections = [torch.randn(3, 4, requires_grad=True) for _ in range(2)]
    keys = [torch.randn(3, 4, requires_grad=True) for _ in range(2)]
    loss = head.loss(projections, keys)
    # MoCo v3's symmetric loss: view 1's query against view 2's key and the reverse
    expected = (infonce_loss(predictor(projections[0]), keys[1], 0.2) +
                infonce_loss(predictor(projections[1]), keys[0], 0.2))
    torch.testing.assert_close(loss, expected)
    loss.backward()
    assert all(p.grad is not None for p in projections) and all(k.grad is None for k in keys)


def test_multiview_loss_pairs_every_view_with_every_other_global_view():
    """Views 0, 1 global (keys), 2 local: pairs (0, 1), (1, 0), (2, 0), (2, 1); twice their mean."""
    torch.manual_seed(0)
    queries = [torch.randn(5, 4) for _ in range(3)]
    keys = [torch.randn(5, 4) for _ in range(2)]
    terms = [infonce_loss(queries[i], keys[j], 0.2) for i, j in ((0, 1), (1, 0), (2, 0), (2, 1))]
    torch.testing.assert_close(multiview_infonce(queries, keys, 0.2), 2 * sum(terms) / 4)
    two_views = infonce_loss(queries[0], keys[1], 0.2) + infonce_loss(queries[1], keys[0], 0.2)
    assert torch.equal(multiview_infonce(queries[:2], keys, 0.2), two_views)  # MoCo v3 exactly
