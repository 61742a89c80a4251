"""DINO's last-layer freeze: the projection head's output layer gets no update in the first epoch(s)."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from cledi.registry import HOOKS


@HOOKS.register_module()
class FreezeLastLayerHook(Hook):
    """Before every training iteration, freezes the last layer of each module of the model that has one
    (``freeze_last_layer``: ``cledi.DINONeck``, in the student; the teacher's copies have no gradient anyway) while
    ``runner.epoch < epochs``, and releases it after. Read from the Runner's epoch, so a resumed run freezes as the
    uninterrupted one did.

    Args:
        epochs (int): Epochs with a frozen last layer (DINO and Gani et al.: 1). Defaults to 1.
    """

    priority = 'NORMAL'

    def __init__(self, epochs: int = 1) -> None:
        if epochs < 0:
            raise ValueError(f'FreezeLastLayerHook: epochs must be >= 0, got {epochs}')
        self.epochs = epochs

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        frozen = runner.epoch < self.epochs
        heads = [module for module in model.modules() if hasattr(module, 'freeze_last_layer')]
        if not heads:
            raise TypeError(f'FreezeLastLayerHook: {type(model).__name__} has no module with a last layer to freeze '
                            '(cledi.DINONeck); remove the hook from custom_hooks')
        for module in heads:
            module.freeze_last_layer = frozen
