"""Weighted k-nearest-neighbour evaluation of frozen features (as in DINO / InstDisc)."""
from typing import Dict, Iterable, Optional, Sequence, Tuple

import copy
import functools

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import is_model_wrapper
from mmengine.registry import DATASETS, FUNCTIONS
from torch.utils.data import DataLoader

from cledi.evaluation.linear import linear_probe_accuracy
from cledi.evaluation.similar import similar_error_share
from cledi.models.backbones.vit import unmasked_outputs
from cledi.models.necks.token_pool import FEATURE_TYPES, check_feature_type, pool_tokens


@torch.no_grad()
def knn_predict(train_features: torch.Tensor,
                train_labels: torch.Tensor,
                test_features: torch.Tensor,
                k: int = 20,
                temperature: float = 0.07,
                num_classes: int = None,
                chunk_size: int = 1024) -> torch.Tensor:
    """Class scores of a temperature-weighted kNN vote on cosine similarity.

    Each test sample's ``k`` most similar training samples vote for their label with weight
    ``exp(similarity / temperature)``.

    Args:
        train_features (Tensor): (N, D) features of the labelled bank (L2-normalised here).
        train_labels (Tensor): (N,) integer labels.
        test_features (Tensor): (M, D) query features.
        k (int): Neighbours. Clipped to N. Defaults to 20.
        temperature (float): Vote temperature. Defaults to 0.07.
        num_classes (int, optional): Defaults to ``max(train_labels) + 1``.
        chunk_size (int): Queries per similarity block. Defaults to 1024.

    Returns:
        Tensor: (M, num_classes) vote scores.
    """
    train_features = F.normalize(train_features.float(), dim=1)
    test_features = F.normalize(test_features.float(), dim=1)
    train_labels = train_labels.long()
    num_classes = int(train_labels.max()) + 1 if num_classes is None else num_classes
    k = min(k, train_features.shape[0])
    scores = []
    for start in range(0, test_features.shape[0], chunk_size):
        similarity = test_features[start:start + chunk_size] @ train_features.t()  # (m, N)
        top_sim, top_idx = similarity.topk(k, dim=1)  # (m, k)
        weights = (top_sim / temperature).exp()
        votes = torch.zeros(top_idx.shape[0], num_classes, device=weights.device)
        votes.scatter_add_(1, train_labels[top_idx], weights)
        scores.append(votes)
    return torch.cat(scores)


def knn_accuracy(train_features: torch.Tensor,
                 train_labels: torch.Tensor,
                 test_features: torch.Tensor,
                 test_labels: torch.Tensor,
                 ks: Sequence[int] = (20, 200),
                 temperature: float = 0.07) -> Dict[str, float]:
    """Top-1 accuracy (%) of :func:`knn_predict` for each k, as ``{'top1_k20': ..., ...}``."""
    num_classes = int(max(train_labels.max(), test_labels.max())) + 1
    results = {}
    for k in ks:
        scores = knn_predict(train_features, train_labels, test_features, k, temperature, num_classes)
        correct = (scores.argmax(dim=1) == test_labels.long()).float().mean().item()
        results[f'top1_k{k}'] = 100.0 * correct
    return results


def backbone_features(backbone: nn.Module, inputs: torch.Tensor, feature: str = 'cls') -> torch.Tensor:
    """Image features from a ViT's last output: the CLS token, the mean patch token, or both concatenated.

    Accepts backbones with ``out_type='raw'`` (B, 1 + N, C) or ``'cls_token'`` (B, C) (``feature='cls'`` only).
    """
    check_feature_type(feature)
    out = unmasked_outputs(backbone, inputs)[-1]
    if out.dim() == 2:
        if feature != 'cls':
            raise ValueError(f"feature '{feature}' needs patch tokens, but the backbone returns only the CLS token; "
                             "build it with out_type='raw'")
        return out
    return pool_tokens(out, feature)


def build_eval_dataloader(cfg: dict) -> DataLoader:
    """A plain, ordered, single-process-view DataLoader from an MMEngine dataloader config.

    Unlike ``Runner.build_dataloader`` it neither shards the data across processes nor synchronises a seed
    (a collective that would deadlock when only the main process evaluates). ``sampler`` is ignored.
    """
    cfg = copy.deepcopy(dict(cfg))
    dataset = cfg['dataset']
    if isinstance(dataset, dict):
        dataset = DATASETS.build(dataset)
    collate_cfg = dict(cfg.get('collate_fn') or dict(type='default_collate'))
    collate_cfg.pop('_scope_', None)
    collate_fn = FUNCTIONS.get(collate_cfg.pop('type'))
    return DataLoader(
        dataset,
        batch_size=cfg.get('batch_size', 1),
        num_workers=cfg.get('num_workers', 0),
        shuffle=False,
        collate_fn=functools.partial(collate_fn, **collate_cfg))


@torch.no_grad()
def extract_features(model: nn.Module, dataloader: Iterable, feature: str = 'cls') -> Tuple[torch.Tensor, torch.Tensor]:
    """Run the model's data preprocessor and backbone over a labelled dataloader.

    Args:
        model (nn.Module): A self-supervised algorithm or classifier with ``data_preprocessor`` and ``backbone``.
        dataloader: Yields MMEngine batches (``inputs`` + ``data_samples`` with ``gt_label``); single view.
        feature (str): ``'cls'``, ``'mean'`` or ``'cls+mean'``.

    Returns:
        (features (N, D) on CPU, labels (N,) on CPU).
    """
    model = model.module if is_model_wrapper(model) else model
    was_training = model.training
    model.eval()
    features, labels = [], []
    for batch in dataloader:
        data = model.data_preprocessor(batch, False)
        inputs = data['inputs']
        if isinstance(inputs, (list, tuple)):
            inputs = inputs[0]
        features.append(backbone_features(model.backbone, inputs, feature).float().cpu())
        labels.append(torch.cat([sample.gt_label for sample in data['data_samples']]).cpu())
    model.train(was_training)
    return torch.cat(features), torch.cat(labels)


def evaluate_knn(model: nn.Module,
                 bank_loader: Iterable,
                 query_loader: Iterable,
                 feature: str = 'cls',
                 ks: Sequence[int] = (20, 200),
                 temperature: float = 0.07) -> Dict[str, float]:
    """Extract features of a labelled bank and query split and return :func:`knn_accuracy` of the queries."""
    return evaluate_knn_features(model, bank_loader, query_loader, [feature], ks, temperature)[feature]


def evaluate_knn_features(model: nn.Module,
                          bank_loader: Iterable,
                          query_loader: Iterable,
                          features: Sequence[str] = FEATURE_TYPES,
                          ks: Sequence[int] = (20, 200),
                          temperature: float = 0.07,
                          linear: bool = False,
                          groups: Optional[Sequence[Sequence[int]]] = None) -> Dict[str, Dict[str, float]]:
    """:func:`evaluate_knn` for several feature types from one pass over the data: ``{feature: results}``.

    With ``linear``, each feature type's results also hold ``linear_top1`` and ``linear_c`` of a logistic-
    regression probe fitted on the bank features (:func:`cledi.evaluation.linear.linear_probe_accuracy`). With
    ``groups`` (label indices of similar classes, :mod:`cledi.evaluation.similar`), they hold how many of the
    first k's kNN errors confuse two classes of one group (``errors``, ``similar_errors``, ``similar_error_share``).

    When more than one type is asked for, CLS and mean features are extracted once (as ``'cls+mean'``) and
    sliced, so the result for each type is exactly what a single-type call gives.
    """
    for feature in features:
        check_feature_type(feature)
    extract = features[0] if len(set(features)) == 1 else 'cls+mean'
    bank, bank_labels = extract_features(model, bank_loader, extract)
    query, query_labels = extract_features(model, query_loader, extract)
    results = {}
    for feature in features:
        if extract == 'cls+mean' and feature != 'cls+mean':
            width = bank.shape[1] // 2
            part = slice(0, width) if feature == 'cls' else slice(width, None)
            bank_part, query_part = bank[:, part], query[:, part]
        else:
            bank_part, query_part = bank, query
        results[feature] = knn_accuracy(bank_part, bank_labels, query_part, query_labels, ks, temperature)
        if groups is not None:
            num_classes = int(max(bank_labels.max(), query_labels.max())) + 1
            predicted = knn_predict(bank_part, bank_labels, query_part, ks[0], temperature, num_classes).argmax(dim=1)
            results[feature].update(similar_error_share(predicted, query_labels, groups))
        if linear:
            results[feature].update(linear_probe_accuracy(bank_part, bank_labels, query_part, query_labels))
    return results
