from .knn import (FEATURE_TYPES, backbone_features, build_eval_dataloader, evaluate_knn, evaluate_knn_features,
                  extract_features, knn_accuracy, knn_predict)
from .linear import linear_probe_accuracy

__all__ = [
    'FEATURE_TYPES', 'backbone_features', 'build_eval_dataloader', 'evaluate_knn', 'evaluate_knn_features',
    'extract_features', 'knn_accuracy', 'knn_predict', 'linear_probe_accuracy'
]
