"""Stop (or skip) on a NaN / Inf loss before it reaches the weights or a checkpoint."""
import torch
from mmengine.dist import all_reduce
from mmengine.hooks import Hook
from mmengine.logging import MMLogger
from mmengine.optim import OptimWrapperDict

from cledi.registry import HOOKS


class NonFiniteLossError(RuntimeError):
    """A training loss was NaN or Inf more often than the run allows."""


def discard_gradients(wrapper) -> None:
    """Drop the gradients accumulated so far in a step that will not be applied. MMEngine's DeepSpeed wrapper has
    no ``zero_grad`` (it raises); its model is the DeepSpeed engine, whose own ``zero_grad`` clears them."""
    if type(wrapper).__name__ == 'DeepSpeedOptimWrapper':
        wrapper.model.zero_grad()
    else:
        wrapper.zero_grad()


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Guard every optimizer update against a non-finite loss.

    Before training, the optim wrapper's ``update_params`` is wrapped: when the loss of a step is NaN or Inf (on
    any process; the decision is all-reduced so DDP ranks stay in step), the step does no backward pass and no
    update, so the weights and the momentum encoder keep their last good values. After the iteration the hook
    either logs a warning (up to ``max_skips`` such steps in the run) or raises :class:`NonFiniteLossError` naming
    the iteration, every loss term and the last checkpoint written. The error stops the run before any checkpoint
    hook of that iteration, so no good checkpoint is overwritten.

    Args:
        max_skips (int): Bad steps skipped (with a warning) before stopping. Defaults to 0: stop at the first.
    """

    priority = 'ABOVE_NORMAL'  # before the CheckpointHook (VERY_LOW) in after_train_iter

    def __init__(self, max_skips: int = 0) -> None:
        if max_skips < 0:
            raise ValueError(f'max_skips must be >= 0, got {max_skips}')
        self.max_skips = max_skips
        self.skipped = 0
        self._bad_step = False

    def before_train(self, runner) -> None:
        wrappers = runner.optim_wrapper
        wrappers = wrappers.values() if isinstance(wrappers, OptimWrapperDict) else [wrappers]
        for wrapper in wrappers:
            if not getattr(wrapper, '_cledi_guarded', False):
                wrapper.update_params = self._guard(wrapper, wrapper.update_params)
                wrapper._cledi_guarded = True

    def _guard(self, wrapper, update_params):

        def guarded_update_params(loss: torch.Tensor, *args, **kwargs):
            bad = torch.tensor(0.0 if torch.isfinite(loss.detach()).all() else 1.0, device=loss.device)
            all_reduce(bad)  # a no-op in one process; keeps DDP ranks skipping together
            if bad.item() > 0:
                self._bad_step = True
                discard_gradients(wrapper)
                return None
            return update_params(loss, *args, **kwargs)

        return guarded_update_params

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if not self._bad_step:
            return
        self._bad_step = False
        self.skipped += 1
        terms = ', '.join(f'{key}={float(torch.as_tensor(value).detach()):.4g}' for key, value in (outputs or {}).items()
                          if key.startswith('loss'))
        where = f'iteration {runner.iter + 1} (epoch {runner.epoch + 1})'
        if self.skipped <= self.max_skips:
            MMLogger.get_current_instance().warning(
                f'non-finite loss at {where}: {terms}; update skipped ({self.skipped} of max_skips='
                f'{self.max_skips})')
            return
        last = runner.message_hub.get_info('last_ckpt')
        checkpoint = f"the last checkpoint written is '{last}'" if last else 'no checkpoint was written yet'
        raise NonFiniteLossError(
            f'non-finite loss at {where}: {terms}. The update was not applied and training stopped; {checkpoint}. '
            'Lower the learning rate, check the data of this iteration, or allow a few bad steps with '
            'default_hooks.non_finite.max_skips=K, then resume.')
