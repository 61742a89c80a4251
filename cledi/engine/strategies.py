"""Sharded training (FSDP) for CL-EDI through MMEngine's ``FlexibleRunner``, on GPUs and, for testing, on CPUs."""
import contextlib
import logging
import os
import os.path as osp

import torch
import torch.nn as nn
from mmengine._strategy import FSDPStrategy as MMEngineFSDPStrategy
from mmengine.dist import is_main_process
from mmengine.logging import print_log
from mmengine.model import revert_sync_batchnorm
from mmpretrain.models.backbones.vision_transformer import TransformerEncoderLayer
from torch.distributed.fsdp import FullyShardedDataParallel
from torch.distributed.fsdp.wrap import transformer_auto_wrap_policy

from cledi.registry import FUNCTIONS, STRATEGIES

FULL_STATE_DICT = dict(
    state_dict_type='FULL_STATE_DICT',
    state_dict_config=dict(type='FullStateDictConfig', offload_to_cpu=True, rank0_only=True),
    optim_state_dict_config=dict(type='FullOptimStateDictConfig', offload_to_cpu=True, rank0_only=True))


@FUNCTIONS.register_module()
def vit_block_wrap_policy(module: nn.Module, recurse: bool, nonwrapped_numel: int) -> bool:
    """FSDP auto-wrap policy: every ViT block (MMPretrain's ``TransformerEncoderLayer``) is its own FSDP unit.

    Config: ``model_wrapper=dict(auto_wrap_policy='cledi.vit_block_wrap_policy')``.
    """
    return transformer_auto_wrap_policy(module, recurse, nonwrapped_numel,
                                        transformer_layer_cls={TransformerEncoderLayer})


@FUNCTIONS.register_module()
def is_vit_block(module: nn.Module) -> bool:
    """``check_fn`` of activation checkpointing: recompute each ViT block in backward instead of storing it.

    Config: ``activation_checkpointing=dict(check_fn='cledi.is_vit_block')`` in the FSDP strategy.
    """
    return isinstance(module, TransformerEncoderLayer)


@STRATEGIES.register_module()
class FSDPStrategy(MMEngineFSDPStrategy):
    """MMEngine's ``FSDPStrategy`` with what CL-EDI needs.

    - The momentum encoder is left out of sharding (``ignored_modules``): every process keeps a full copy (no
      gradients, no optimizer state: the cost of one backbone's weights), and the EMA runs after each optimizer
      step on the gathered online weights (``cledi.CLEDI(teacher=dict(update='after_step'))``, run by
      ``cledi.CosineMomentumHook``). An EMA inside forward would read sharded weights, so a model whose teacher
      updates ``'in_loss'`` is refused with that fix in the message.
    - Checkpoints hold the full state dict, written once by rank 0 (``state_dict_cfg='full'``), atomically (a
      temporary file renamed over the target), so kNN, the converters and detection transfer read them like any
      other; pass ``state_dict_cfg='local'`` for sharded per-rank files (written as MMEngine writes them).
    - Without a GPU (tests, debugging): FSDP on the CPU with gloo (``device_id='cpu'``), SyncBN reverted to BN.
    - Resuming restores everything but the optimizer moments, with a warning (see
      :meth:`load_optim_state_dict`; MMEngine 0.10.7's own call also fails with torch >= 2.1's argument order).

    Args:
        model_wrapper (dict, optional): ``MMFullyShardedDataParallel`` options (``auto_wrap_policy``,
            ``sharding_strategy``, ``mixed_precision``, ...). Defaults to None.
        state_dict_cfg (str | dict): Defaults to full state dicts on rank 0, offloaded to the CPU.
        **kwargs: Passed to MMEngine's ``FSDPStrategy`` (``activation_checkpointing``, ``skip_init_weights``).
    """

    def __init__(self, *, model_wrapper=None, state_dict_cfg=FULL_STATE_DICT, **kwargs) -> None:
        model_wrapper = dict(model_wrapper or {})
        model_wrapper.setdefault('type', 'MMFullyShardedDataParallel')
        if not torch.cuda.is_available():
            model_wrapper.setdefault('device_id', 'cpu')
            env_kwargs = kwargs.setdefault('env_kwargs', {})
            env_kwargs.setdefault('dist_cfg', {}).setdefault('backend', 'gloo')
        super().__init__(model_wrapper=model_wrapper, state_dict_cfg=state_dict_cfg, **kwargs)

    def build_model(self, model):
        model = super().build_model(model)
        if not torch.cuda.is_available():
            model = revert_sync_batchnorm(model)  # SyncBN runs on GPUs only
        if hasattr(model, 'momentum_encoder'):
            if getattr(model.momentum_encoder, 'update_at', None) != 'after_step':
                raise ValueError(
                    f"FSDP shards the online weights, so {type(model).__name__}'s EMA cannot run inside forward: "
                    "use cledi.CLEDI with model.teacher=dict(update='after_step') (MoCo v3: cledi.CLEDI with "
                    'detail=None)')
            self.model_wrapper.setdefault('ignored_modules', ['momentum_encoder'])
        return model

    def _wrap_model(self, model):
        wrapped = super()._wrap_model(model)
        if wrapped is None:  # MMEngine returns nothing for a model wrapped already
            return wrapped
        units = len(FullyShardedDataParallel.fsdp_modules(wrapped))
        ignored = self.model_wrapper.get('ignored_modules') or []
        print_log(f'FSDP: the model is sharded in {units} units over {torch.distributed.get_world_size()} '
                  f'processes; kept whole on every process: {", ".join(ignored) or "nothing"}', logger='current')
        return wrapped

    def save_checkpoint(self, filename: str, **kwargs) -> None:
        """MMEngine's save, made atomic for full state dicts: rank 0 writes a temporary file beside ``filename``,
        flushes it to disk and renames it over ``filename``, so a kill during the write leaves the previous file
        whole (the promise of ``cledi.AtomicLocalBackend`` for every other runner). Sharded (``'local'``) state dicts
        are folders of per-rank files, written as MMEngine writes them."""
        if not self._is_full_state_dict():
            return super().save_checkpoint(filename, **kwargs)
        tmp_path = f'{filename}.{os.getpid()}.tmp'
        try:
            super().save_checkpoint(tmp_path, **kwargs)  # the full state dict, written by rank 0 only
            if is_main_process():
                with open(tmp_path, 'rb') as f:
                    os.fsync(f.fileno())
                os.replace(tmp_path, filename)
        finally:
            if osp.exists(tmp_path):
                os.remove(tmp_path)

    def load_optim_state_dict(self, state_dict: dict) -> None:
        """Resume with fresh optimizer moments, and say so.

        torch 2.14's FSDP round trip of a full optimizer state dict (``optim_state_dict`` ->
        ``optim_state_dict_to_load``) does not give back AdamW's moments: measured on 2 CPU processes, a model
        saved after 3 AdamW steps and loaded into a fresh one drifts at once (loss -49.12 vs -39.20 two steps
        later; with stateless SGD the two runs stay equal). Loading those moments would resume with wrong
        ones silently; starting them afresh is the honest choice. The parameter groups' hyper-parameters
        (learning rates, which the schedulers continue from), weights, momentum encoder, schedules, data order and
        random states are restored as usual.
        """
        saved_groups = state_dict.get('param_groups', [])
        groups = self.optim_wrapper.optimizer.param_groups
        if len(saved_groups) != len(groups):
            raise ValueError(f'the checkpoint has {len(saved_groups)} optimizer parameter groups, this run '
                             f'{len(groups)}: resume with the config the checkpoint was trained with')
        for group, saved in zip(groups, saved_groups):  # learning rates etc.: the schedulers continue from them
            group.update({key: value for key, value in saved.items() if key != 'params'})
        print_log('FSDP resume: the optimizer moments are not restored (torch FSDP does not round-trip them '
                  'exactly, see cledi.FSDPStrategy); they restart from zero, the rest of the state is restored',
                  logger='current', level=logging.WARNING)


def full_weights(model, recurse: bool = True):
    """Gather a sharded (FSDP) model's weights for reading; a no-op context for any other model.

    ``recurse=False`` gathers only the root unit's weights: enough to call the model's parts directly, each
    nested FSDP unit (e.g. a ViT block under ``cledi.vit_block_wrap_policy``) gathering its own in forward.
    """
    if is_sharded(model):
        return FullyShardedDataParallel.summon_full_params(model, writeback=False, recurse=recurse)
    return contextlib.nullcontext()


def is_sharded(model) -> bool:
    return isinstance(model, FullyShardedDataParallel)


__all__ = ['FSDPStrategy', 'FULL_STATE_DICT', 'full_weights', 'is_sharded', 'is_vit_block', 'vit_block_wrap_policy']
