"""Linear probe of frozen features in seconds: multinomial logistic regression on features extracted once.

The fast counterpart of the SGD linear-probe configs (``configs/benchmarks/linear/``, 90 epochs through the
Runner): features of the labelled bank are standardised, the L2 strength is chosen by stratified k-fold
cross-validation on the bank alone (never on the queries), and the refitted classifier scores the queries.
scikit-learn's ``LogisticRegressionCV`` (L-BFGS) does the fitting.
"""
from typing import Dict, Sequence
import warnings

import numpy as np
import torch
from sklearn.linear_model import LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

DEFAULT_CS = (0.01, 0.1, 1.0)


def linear_probe_accuracy(train_features: torch.Tensor,
                          train_labels: torch.Tensor,
                          test_features: torch.Tensor,
                          test_labels: torch.Tensor,
                          cs: Sequence[float] = DEFAULT_CS,
                          folds: int = 5,
                          seed: int = 0) -> Dict[str, float]:
    """Top-1 (%) of a logistic-regression probe fitted on ``train_features`` and scored on ``test_features``.

    Args:
        train_features (Tensor): (N, D) frozen features of the labelled training images.
        train_labels (Tensor): (N,) integer labels.
        test_features (Tensor): (M, D) features of the query images.
        test_labels (Tensor): (M,) their labels.
        cs (Sequence[float]): Inverse L2 strengths tried by cross-validation. Defaults to (0.01, 0.1, 1).
        folds (int): Cross-validation folds on the training features. Defaults to 5.
        seed (int): Seed of the fold split. Defaults to 0.

    Returns:
        dict: ``linear_top1`` (%) and ``linear_c``, the chosen inverse L2 strength.
    """
    if len(train_features) != len(train_labels) or len(test_features) != len(test_labels):
        raise ValueError(f'features and labels differ in length: train {len(train_features)} vs '
                         f'{len(train_labels)}, test {len(test_features)} vs {len(test_labels)}')
    probe = make_pipeline(
        StandardScaler(),
        LogisticRegressionCV(Cs=list(cs), cv=StratifiedKFold(folds, shuffle=True, random_state=seed),
                             max_iter=1000, random_state=seed))
    with warnings.catch_warnings():  # scikit-learn 1.9 announces changes of defaults we do not depend on
        warnings.simplefilter('ignore', FutureWarning)
        probe.fit(train_features.float().numpy(), train_labels.numpy())
    accuracy = probe.score(test_features.float().numpy(), test_labels.numpy())
    return dict(linear_top1=100.0 * accuracy, linear_c=float(np.ravel(probe[-1].C_)[0]))


__all__ = ['DEFAULT_CS', 'linear_probe_accuracy']
