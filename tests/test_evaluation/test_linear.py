"""The fast linear probe: logistic regression on frozen features, L2 strength by cross-validation on the bank."""
import pytest
import torch

from cledi.evaluation import linear_probe_accuracy


def _blobs(num, spread, seed):
    generator = torch.Generator().manual_seed(seed)
    centres = torch.eye(4, 16) * 5.0
    labels = torch.arange(num) % 4
    return centres[labels] + spread * torch.randn(num, 16, generator=generator), labels


def test_separable_classes_are_all_right():
    train, train_labels = _blobs(200, 0.5, seed=0)
    test, test_labels = _blobs(100, 0.5, seed=1)
    result = linear_probe_accuracy(train, train_labels, test, test_labels)
    assert result['linear_top1'] == 100.0
    assert result['linear_c'] in (0.01, 0.1, 1.0)


def test_noise_features_score_near_chance_and_labels_matter():
    train, train_labels = _blobs(400, 0.5, seed=0)
    test, test_labels = _blobs(400, 0.5, seed=1)
    shuffled = test_labels[torch.randperm(400, generator=torch.Generator().manual_seed(0))]
    assert linear_probe_accuracy(train, train_labels, test, shuffled)['linear_top1'] < 40.0  # 4 classes: 25 %


def test_mismatched_lengths_are_an_error():
    train, labels = _blobs(40, 0.5, seed=0)
    with pytest.raises(ValueError, match='train 40 vs 39'):
        linear_probe_accuracy(train, labels[:39], train, labels)
