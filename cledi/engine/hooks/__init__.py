from .epoch_rng import EpochRNGHook
from .knn import KNNEvalHook
from .momentum import CosineMomentumHook
from .non_finite import NonFiniteLossError, NonFiniteLossHook

__all__ = ['CosineMomentumHook', 'EpochRNGHook', 'KNNEvalHook', 'NonFiniteLossError', 'NonFiniteLossHook']
