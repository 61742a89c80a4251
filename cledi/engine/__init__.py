from .hooks import *  # noqa: F401,F403
from .model_wrappers import CPUDistributedDataParallel
from .optimizers import LayerDecayOptimWrapperConstructor

__all__ = ['CPUDistributedDataParallel', 'LayerDecayOptimWrapperConstructor']
