"""Make MMEngine checkpoints loadable by ``torch.load(weights_only=True)`` (torch >= 2.6).

MMEngine 0.10.7 saves the message hub (``HistoryBuffer`` objects holding numpy arrays) and numpy scalars inside
``meta``. Since torch 2.6, ``torch.load`` defaults to ``weights_only=True`` and refuses any global that is not
allow-listed, so ``--resume`` fails with ``UnpicklingError: Weights only load failed ... HistoryBuffer``.

We allow-list exactly the globals such a checkpoint needs instead of switching the safe loader off, so a
checkpoint that carries any other object is still refused. One of them needs care: ``HistoryBuffer`` pickles its
statistics methods (``HistoryBuffer.min`` ...) as ``getattr(HistoryBuffer, 'min')``. Allow-listing the builtin
``getattr`` would open every attribute of every allowed object; instead the name ``builtins.getattr`` is mapped to
:func:`_history_buffer_getattr`, which only returns HistoryBuffer's own statistics methods.
"""
import os.path as osp
import pickle
import zipfile
from typing import Callable, Optional

import numpy as np
import torch

from cledi.utils.errors import CheckpointMismatchError, DamagedCheckpointError


def _history_buffer_getattr(obj, name: str):
    """The only ``getattr`` an MMEngine checkpoint needs: a statistics method of ``HistoryBuffer``."""
    from mmengine.logging.history_buffer import HistoryBuffer

    if obj is HistoryBuffer and not name.startswith('_') and callable(getattr(HistoryBuffer, name, None)):
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(f'refusing getattr({obj!r}, {name!r}) in a weights-only checkpoint load: only '
                                 "HistoryBuffer's statistics methods are allowed")


def _checkpoint_globals() -> list:
    from mmengine.logging.history_buffer import HistoryBuffer

    multiarray = getattr(np, '_core', np.core).multiarray
    dtype_classes = [type(np.dtype(name)) for name in (
        'bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'float16', 'float32',
        'float64', 'complex64', 'complex128', 'str', 'object')]
    return [
        HistoryBuffer,
        (_history_buffer_getattr, 'builtins.getattr'),
        multiarray._reconstruct,
        multiarray.scalar,
        np.ndarray,
        np.dtype,
        *dtype_classes,
    ]


MIN_TORCH = (2, 6)


def check_torch_version(version: str = torch.__version__) -> None:
    """cledi's checkpoint safety rests on torch loading with ``weights_only=True`` by default, which torch does from
    2.6 on: MMEngine's own loads (``--resume``, ``init_cfg`` pre-trained weights) pass no ``weights_only``. An older
    torch is refused where cledi is imported, with the fix."""
    release = tuple(int(part) for part in version.split('+')[0].split('.')[:2])
    if release < MIN_TORCH:
        raise ImportError(f'cledi needs torch >= {MIN_TORCH[0]}.{MIN_TORCH[1]}, found {version}: MMEngine loads '
                          'checkpoints without weights_only, which only torch >= 2.6 makes safe by default. Install '
                          "a newer torch (bash tools/install.sh, or TORCH_SPEC='torch>=2.6 torchvision')")


def register_checkpoint_safe_globals() -> None:
    """Allow-list the globals of MMEngine checkpoints for ``torch.load(weights_only=True)``.

    Idempotent; a no-op on torch versions without ``torch.serialization.add_safe_globals``.
    """
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is None:
        return
    add_safe_globals(_checkpoint_globals())


def backbone_state_dict(checkpoint: dict, prefix: str = 'backbone.') -> dict:
    """The ``prefix``-stripped weights of an MMEngine checkpoint (or a bare state dict); the backbone by default."""
    state_dict = checkpoint.get('state_dict', checkpoint)
    weights = {key[len(prefix):]: value for key, value in state_dict.items() if key.startswith(prefix)}
    if not weights:
        raise KeyError(f"the checkpoint has no '{prefix}*' weights; is it a cledi / MMPretrain pre-training "
                       'checkpoint?')
    return weights


def compare_keys(expected: set, found: set):
    """(missing, unexpected): the sorted keys of ``expected`` not ``found``, and the reverse."""
    return sorted(expected - found), sorted(found - expected)


def checkpoint_problem(path: str) -> Optional[str]:
    """Why ``path`` is not a loadable torch checkpoint (missing, empty, truncated, corrupt), or None if intact.

    A torch checkpoint is a zip archive; every member's CRC is checked.
    """
    if not osp.isfile(path):
        return 'it does not exist'
    if osp.getsize(path) == 0:
        return 'it is empty'
    try:
        with zipfile.ZipFile(path) as archive:
            bad_member = archive.testzip()
    except zipfile.BadZipFile:
        return 'it is truncated or not a torch checkpoint (no complete zip archive)'
    except (OSError, EOFError, zipfile.LargeZipFile, ValueError) as error:
        return f'it cannot be read ({error})'
    if bad_member is not None:
        return f"its member '{bad_member}' is corrupt (CRC mismatch)"
    return None


def load_checked(path: str) -> dict:
    """``torch.load`` (weights only) of a checkpoint whose archive was checked first.

    Raises:
        DamagedCheckpointError: naming the file and what is wrong with it (missing, empty, truncated, corrupt).
    """
    problem = checkpoint_problem(path)
    if problem is not None:
        raise DamagedCheckpointError(f"checkpoint '{path}' cannot be loaded: {problem}; pass an intact .pth file "
                                     '(a pre-training checkpoint written by tools/train.py)')
    return torch.load(path, map_location='cpu', weights_only=True)


def load_module_strict(module, checkpoint_path: str, prefix: str,
                       upgrade: Optional[Callable[[dict], dict]] = None) -> None:
    """Load the ``prefix`` weights of a checkpoint into ``module``; every key and shape must match.

    The module's own load hooks still run (MMPretrain's ViT resizes its position embedding in one), so only what
    they cannot reconcile is an error. ``upgrade`` renames the keys of an older checkpoint layout first.

    Raises:
        DamagedCheckpointError: the file is missing, truncated or corrupt.
        CheckpointMismatchError: naming the checkpoint and the missing / unexpected / mis-shaped weights, instead
            of a silent partial load or a bare size-mismatch trace from inside torch.
    """
    checkpoint = load_checked(checkpoint_path)
    if upgrade is not None:
        checkpoint = dict(checkpoint, state_dict=upgrade(dict(checkpoint.get('state_dict', checkpoint))))
    try:
        weights = backbone_state_dict(checkpoint, prefix)
    except KeyError as error:
        raise CheckpointMismatchError(f"checkpoint '{checkpoint_path}': {error.args[0]}") from None
    try:
        missing, unexpected = module.load_state_dict(weights, strict=False)
    except RuntimeError as error:  # size mismatches
        raise CheckpointMismatchError(f"'{prefix}*' weights of '{checkpoint_path}' do not fit the model (a "
                                      f'checkpoint of another model?): {error}') from None
    if missing or unexpected:
        raise CheckpointMismatchError(f"'{prefix}*' weights of '{checkpoint_path}' do not match the model (a "
                                      f'checkpoint of another model?): missing {missing}, unexpected {unexpected}')


def load_backbone_strict(backbone, checkpoint_path: str, prefix: str = 'backbone.') -> None:
    """Load a checkpoint's backbone weights into ``backbone`` with :func:`load_module_strict`."""
    load_module_strict(backbone, checkpoint_path, prefix)
