from .checkpoint import register_checkpoint_safe_globals
from .config import check_data_roots, merge_data_preprocessor, prepare_runner_config, set_data_root
from .setup import finish_distributed, setup_device

__all__ = [
    'register_checkpoint_safe_globals', 'check_data_roots', 'merge_data_preprocessor', 'prepare_runner_config',
    'set_data_root', 'setup_device'
]
