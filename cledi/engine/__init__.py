from .hooks import *  # noqa: F401,F403
from .model_wrappers import CPUDistributedDataParallel
from .optimizers import LayerDecayOptimWrapperConstructor
from .safe_checkpoint import (ATOMIC_BACKEND, AtomicLocalBackend, DamagedCheckpointError, checkpoint_problem,
                              resume_checkpoint)
from .strategies import FSDPStrategy

__all__ = [
    'CPUDistributedDataParallel', 'FSDPStrategy', 'LayerDecayOptimWrapperConstructor', 'ATOMIC_BACKEND', 'AtomicLocalBackend',
    'DamagedCheckpointError', 'checkpoint_problem', 'resume_checkpoint'
]
