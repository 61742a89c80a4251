"""Momentum schedule of the momentum encoder, driven by the Runner's progress."""
import contextlib

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

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


def full_weights(model, recurse: bool = True):
    """Gather a sharded (FSDP) model's weights for reading; a no-op context for any other model.

    ``recurse=False`` gathers only the root unit's weights: enough to call the model's parts directly, each
    nested FSDP unit (e.g. a ViT block under ``cledi.vit_block_wrap_policy``) gathering its own in forward.
    """
    if is_sharded(model):
        from torch.distributed.fsdp import FullyShardedDataParallel
        return FullyShardedDataParallel.summon_full_params(model, writeback=False, recurse=recurse)
    return contextlib.nullcontext()


def is_sharded(model) -> bool:
    from torch.distributed.fsdp import FullyShardedDataParallel
    return isinstance(model, FullyShardedDataParallel)
