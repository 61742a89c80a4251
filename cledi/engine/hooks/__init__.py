from .knn import KNNEvalHook
from .momentum import CosineMomentumHook

__all__ = ['CosineMomentumHook', 'KNNEvalHook']
