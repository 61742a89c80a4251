from .epoch_rng import EpochRNGHook
from .freeze_last_layer import FreezeLastLayerHook
from .knn import KNNEvalHook
from .momentum import CosineMomentumHook
from .non_finite import NonFiniteLossError, NonFiniteLossHook

__all__ = ['CosineMomentumHook', 'EpochRNGHook', 'FreezeLastLayerHook', 'KNNEvalHook', 'NonFiniteLossError',
           'NonFiniteLossHook']
