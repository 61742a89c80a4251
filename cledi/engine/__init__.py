from .hooks import *  # noqa: F401,F403
from .model_wrappers import CPUDistributedDataParallel
from .optimizers import LayerDecayOptimWrapperConstructor
from .safe_checkpoint import (ATOMIC_BACKEND, AtomicLocalBackend, DamagedCheckpointError, checkpoint_problem,
                              resume_checkpoint)
from .setup import finish_distributed, prepare_runner_config, setup_device
from .strategies import FSDPStrategy

__all__ = [
    'CPUDistributedDataParallel', 'FSDPStrategy', 'LayerDecayOptimWrapperConstructor', 'ATOMIC_BACKEND', 'AtomicLocalBackend',
    'DamagedCheckpointError', 'checkpoint_problem', 'finish_distributed', 'prepare_runner_config',
    'resume_checkpoint', 'setup_device'
]
