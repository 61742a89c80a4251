"""Leaf helpers (torch, MMEngine and the standard library only; nothing of cledi's engine or models)."""
from .checkpoint import checkpoint_problem, load_backbone_strict, load_checked, register_checkpoint_safe_globals
from .config import check_data_roots, merge_data_preprocessor, scale_lr_for_accumulation, set_data_root
from .errors import (CheckpointMismatchError, DamagedCheckpointError, InputError, MissingInputError,
                     UnreadableInputError)
from .memory import keep_freed_memory
from .schedule import rescale_epochs

__all__ = [
    'CheckpointMismatchError', 'DamagedCheckpointError', 'InputError', 'MissingInputError', 'UnreadableInputError',
    'check_data_roots', 'checkpoint_problem', 'keep_freed_memory', 'load_backbone_strict', 'load_checked',
    'merge_data_preprocessor', 'register_checkpoint_safe_globals', 'rescale_epochs', 'scale_lr_for_accumulation',
    'set_data_root'
]
