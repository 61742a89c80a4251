"""The shared layer of tools/benchmarks/: the compared methods, targets, the verdict rules, docs sections."""
from .common import (ROOT, TARGETS, advances, default_data_root, load_config, logged_scalars, machine, mean_std,
                     paired_gap, run_or_resume, train, write_holdout_list)
from .methods import METHODS, label
from .report import write_section

__all__ = [
    'METHODS', 'ROOT', 'TARGETS', 'advances', 'default_data_root', 'label', 'load_config', 'logged_scalars', 'machine',
    'mean_std', 'paired_gap', 'run_or_resume', 'train', 'write_holdout_list', 'write_section'
]
