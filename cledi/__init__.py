"""cledi: CL-EDI contrastive pre-training of Vision Transformers for the OpenMMLab stack.

``import cledi`` registers the pre-training modules (models, datasets, transforms, hooks, metrics) in the
``cledi`` scope. Detection modules live in ``cledi.det`` and are imported only by detection configs.
"""
from .utils.checkpoint import check_torch_version, register_checkpoint_safe_globals
from .version import __version__

check_torch_version()  # torch >= 2.6: loads default to weights_only=True (MMEngine's own loads rely on it)
# MMEngine 0.10.7 checkpoints hold a few non-tensor objects (the message hub's HistoryBuffer, numpy arrays);
# torch >= 2.6 loads with weights_only=True and refuses them unless they are allow-listed.
register_checkpoint_safe_globals()

from . import datasets, engine, evaluation, models  # noqa: E402,F401  (registers modules)

__all__ = ['__version__', 'register_checkpoint_safe_globals']
