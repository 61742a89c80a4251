"""Momentum schedule of the momentum encoder, driven by the Runner's progress."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from cledi.engine.strategies import full_weights
from cledi.registry import HOOKS


@HOOKS.register_module()
class CosineMomentumHook(Hook):
    """Before every training iteration, set the model's EMA momentum from ``runner.iter / runner.max_iters``.

    Works with any model that has ``set_momentum(cur_iter, max_iters)`` (``cledi.CLEDI``). The total length is
    read from the Runner explicitly instead of a global message hub, so resuming keeps the schedule.

    For a model with ``momentum_update='after_step'`` the hook also runs the EMA after each optimizer step, with
    the momentum of the next iteration (what the in-loss update of that iteration would use). Under FSDP the
    online weights are gathered for it (``summon_full_params``, read only); the momentum encoder must then be
    left out of sharding (``ignored_modules``), as the FSDP configs do.
    """

    priority = 'NORMAL'

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if not hasattr(model, 'set_momentum'):
            raise TypeError(f'CosineMomentumHook needs a model with set_momentum(cur_iter, max_iters); '
                            f'{type(model).__name__} has none. Remove the hook from custom_hooks for this model.')
        momentum = model.set_momentum(runner.iter, runner.max_iters)
        runner.message_hub.update_scalar('train/momentum', momentum)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if getattr(model, 'momentum_update', 'in_loss') != 'after_step':
            return
        model.set_momentum(runner.iter + 1, runner.max_iters)
        with full_weights(runner.model):
            model._momentum_update()

