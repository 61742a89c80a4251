"""The shared layer of tools/benchmarks/: configs compared, run names, targets, the verdict rule, docs sections."""
from .common import (METHODS, MODELS, NAMES, PENNFUDAN_PRETRAIN_EPOCHS, ROOT, TARGETS, advances,
                     default_data_root, load_config, logged_scalars, lowdata_run_dir, machine, mean_std,
                     paired_gap, pennfudan_pretrain_dir, run_or_resume, start, train, train_command, write_holdout_list)
from .report import write_section

__all__ = [
    'METHODS', 'MODELS', 'NAMES', 'PENNFUDAN_PRETRAIN_EPOCHS', 'ROOT', 'TARGETS', 'advances', 'default_data_root',
    'load_config', 'logged_scalars', 'lowdata_run_dir', 'machine', 'mean_std', 'paired_gap', 'pennfudan_pretrain_dir',
    'run_or_resume', 'start', 'train', 'train_command', 'write_holdout_list', 'write_section'
]
