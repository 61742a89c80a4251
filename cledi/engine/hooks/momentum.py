"""Momentum schedule of the momentum encoder, driven by the Runner's progress."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from cledi.registry import HOOKS


@HOOKS.register_module()
class CosineMomentumHook(Hook):
    """Before every training iteration, set the model's EMA momentum from ``runner.iter / runner.max_iters``.

    Works with any model that has ``set_momentum(cur_iter, max_iters)`` (``cledi.CLEDI``). The total length is
    read from the Runner explicitly instead of a global message hub, so resuming keeps the schedule.
    """

    priority = 'NORMAL'

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if not hasattr(model, 'set_momentum'):
            raise TypeError(f'CosineMomentumHook needs a model with set_momentum(cur_iter, max_iters); '
                            f'{type(model).__name__} has none. Remove the hook from custom_hooks for this model.')
        momentum = model.set_momentum(runner.iter, runner.max_iters)
        runner.message_hub.update_scalar('train/momentum', momentum)
