"""Momentum schedule of the momentum encoder, driven by the Runner's progress, once per optimizer step."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from cledi.engine.strategies import full_weights
from cledi.models.teachers import MomentumTeacher
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
    """Drives a model's momentum teacher (``model.momentum_encoder``, a ``cledi.MomentumTeacher``) from the Runner:
    its cosine momentum schedule from ``runner.iter / runner.max_iters`` before every iteration, and its EMA once
    per optimizer step.

    The total length is read from the Runner explicitly instead of a global message hub, so resuming keeps the
    schedule. The EMA ``m * ema + (1 - m) * online`` must run once per change of the online weights, i.e. once per
    optimizer step; with gradient accumulation over k micro-batches an EMA per iteration would apply momentum
    ``m^k``. So the hook tells the teacher, before each iteration, whether it starts an optimizer step (the first
    micro-batch after one; every iteration without accumulation): a teacher that updates ``'in_loss'`` (MoCo v3's
    order) runs its EMA in that iteration's loss. For a teacher that updates ``'after_step'``, the hook runs the EMA
    after each iteration that stepped the optimizer, with the momentum of the next iteration (what the in-loss
    update would use). Under FSDP the online weights are gathered for it (``summon_full_params``, read only); the
    teacher must then be left out of sharding (``ignored_modules``), as ``cledi.FSDPStrategy`` does.
    """

    priority = 'NORMAL'

    def __init__(self) -> None:
        self._stepped_last = True  # the first iteration of a run starts an accumulation group

    @staticmethod
    def _model(runner):
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if not isinstance(getattr(model, 'momentum_encoder', None), MomentumTeacher):
            raise TypeError(f'CosineMomentumHook drives a cledi.MomentumTeacher kept as model.momentum_encoder; '
                            f'{type(model).__name__} has none. Remove the hook from custom_hooks for this model.')
        return model

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        teacher = self._model(runner).momentum_encoder
        momentum = teacher.schedule(runner.iter, runner.max_iters, starts_step=self._stepped_last)
        runner.message_hub.update_scalar('train/momentum', momentum)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        model = self._model(runner)
        self._stepped_last = optimizer_stepped(runner)
        teacher = model.momentum_encoder
        if teacher.update_at != 'after_step' or not self._stepped_last:
            return
        teacher.schedule(runner.iter + 1, runner.max_iters)
        with full_weights(runner.model):
            teacher.ema(model.key_modules())
