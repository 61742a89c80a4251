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
import pickle

import numpy as np
import torch


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


def load_module_strict(module, checkpoint_path: str, prefix: str) -> None:
    """Load the ``prefix`` weights of a checkpoint into ``module``; every key and shape must match.

    The module's own load hooks still run (MMPretrain's ViT resizes its position embedding in one), so only what
    they cannot reconcile is an error.

    Raises:
        KeyError: naming the checkpoint and the missing / unexpected / mis-shaped weights, instead of a silent
            partial load or a bare size-mismatch trace from inside torch.
    """
    checkpoint = torch.load(checkpoint_path, map_location='cpu', weights_only=True)
    weights = backbone_state_dict(checkpoint, prefix)
    try:
        missing, unexpected = module.load_state_dict(weights, strict=False)
    except RuntimeError as error:  # size mismatches
        raise KeyError(f"'{prefix}*' weights of '{checkpoint_path}' do not fit the model (a checkpoint of another "
                       f'model?): {error}') from None
    if missing or unexpected:
        raise KeyError(f"'{prefix}*' weights of '{checkpoint_path}' do not match the model (a checkpoint of "
                       f'another model?): missing {missing}, unexpected {unexpected}')


def load_backbone_strict(backbone, checkpoint_path: str, prefix: str = 'backbone.') -> None:
    """Load a checkpoint's backbone weights into ``backbone`` with :func:`load_module_strict`."""
    load_module_strict(backbone, checkpoint_path, prefix)
