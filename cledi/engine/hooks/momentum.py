"""Momentum schedule of the momentum encoder, driven by the Runner's progress, once per optimizer step."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from cledi.engine.strategies import full_weights
from cledi.registry import HOOKS


def optimizer_stepped(runner) -> bool:
    """Whether the training iteration that just ended updated the weights.

    With gradient accumulation (``optim_wrapper.accumulative_counts=k``) only every k-th iteration steps the
    optimizer; MMEngine's ``OptimWrapper.should_update()`` says whether this one did (its count of backward passes
    is a multiple of k, or the last of training). DeepSpeed accumulates inside its engine, which reports it with
    ``was_step_applied()``.
    """
    wrapper = runner.optim_wrapper
    if hasattr(wrapper, 'should_update'):
        return bool(wrapper.should_update())
    engine = getattr(wrapper, 'model', None)
    if engine is not None and hasattr(engine, 'was_step_applied'):
        return bool(engine.was_step_applied())
    return True


@HOOKS.register_module()
class CosineMomentumHook(Hook):
    """Sets the model's EMA momentum from ``runner.iter / runner.max_iters`` and runs the EMA once per optimizer
    step.

    Works with any model that has ``set_momentum(cur_iter, max_iters)`` (``cledi.CLEDI``). The total length is
    read from the Runner explicitly instead of a global message hub, so resuming keeps the schedule.

    The EMA ``m * ema + (1 - m) * online`` must run once per change of the online weights, i.e. once per
    optimizer step; with gradient accumulation over k micro-batches an EMA per iteration would apply momentum
    ``m^k``. So:

    - ``momentum_update='in_loss'`` (MoCo v3's order: the EMA at the start of the loss, before the keys): the hook
      sets ``model.ema_due`` before each iteration, True only for the first micro-batch after an optimizer step
      (every iteration without accumulation);
    - ``momentum_update='after_step'``: the hook runs the EMA after each iteration that stepped the optimizer,
      with the momentum of the next iteration (what the in-loss update would use). Under FSDP the online weights
      are gathered for it (``summon_full_params``, read only); the momentum encoder must then be left out of
      sharding (``ignored_modules``), as the FSDP configs do.
    """

    priority = 'NORMAL'

    def __init__(self) -> None:
        self._stepped_last = True  # the first iteration of a run starts an accumulation group

    @staticmethod
    def _model(runner):
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if not hasattr(model, 'set_momentum'):
            raise TypeError(f'CosineMomentumHook needs a model with set_momentum(cur_iter, max_iters); '
                            f'{type(model).__name__} has none. Remove the hook from custom_hooks for this model.')
        return model

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        model = self._model(runner)
        momentum = model.set_momentum(runner.iter, runner.max_iters)
        model.ema_due = self._stepped_last
        runner.message_hub.update_scalar('train/momentum', momentum)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        model = self._model(runner)
        self._stepped_last = optimizer_stepped(runner)
        if getattr(model, 'momentum_update', 'in_loss') != 'after_step' or not self._stepped_last:
            return
        model.set_momentum(runner.iter + 1, runner.max_iters)
        with full_weights(runner.model):
            model._momentum_update()
