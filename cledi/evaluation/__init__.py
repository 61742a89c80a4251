from .knn import (FEATURE_TYPES, backbone_features, build_eval_dataloader, evaluate_knn, evaluate_knn_features,
                  extract_features, knn_accuracy, knn_predict)

__all__ = [
    'FEATURE_TYPES', 'backbone_features', 'build_eval_dataloader', 'evaluate_knn', 'evaluate_knn_features',
    'extract_features', 'knn_accuracy', 'knn_predict'
]
