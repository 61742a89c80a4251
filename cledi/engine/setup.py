"""Runner preparation applied by the tools: config fixes, distributed backend, CPU DDP wrapper, mixed precision."""
import logging
import os
import sys
from typing import Union

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.logging import print_log

from cledi.engine.optimizers import cpu_has_native_bf16
from cledi.engine.safe_checkpoint import ATOMIC_BACKEND
from cledi.utils.config import strip_collate_scope, check_data_roots, merge_data_preprocessor, scale_lr_for_accumulation

AMP_MODES = ('auto', 'on', 'off')


def _amp_mode(value: Union[bool, str, None]) -> str:
    if value is True:
        return 'on'
    if value in (False, None):
        return 'off'
    if value not in AMP_MODES:
        raise ValueError(f"amp '{value}' is not one of {AMP_MODES} (or True / False)")
    return value


def setup_device(cfg: Config, launcher: str = 'none', amp: Union[bool, str, None] = None) -> Config:
    """Adapt a config to the machine it runs on.

    - no GPU + a launcher: gloo backend, the process group initialised here (MMEngine's ``init_dist`` calls
      ``torch.cuda.set_device``, which fails without a GPU), and ``cledi.CPUDistributedDataParallel``;
    - mixed precision, from ``amp`` (the command line's ``--amp``) or else the config's ``amp`` key:
      ``'on'`` / True forces it, ``'off'`` / False keeps float32, ``'auto'`` (the configs' default) turns it on
      where it was measured to pay off: on a GPU (``AmpOptimWrapper``, float16 with loss scaling) and on a CPU
      with native bfloat16 (``cledi.AutocastOptimWrapper``, bf16 autocast; AVX512-BF16 / AMX). On a CPU without
      native bf16 ``'auto'`` stays float32: there bf16 is emulated and slower (docs/benchmarks.md).
      MMDetection models (``default_scope='mmdet'``) stay float32 on the CPU under ``'auto'``, and ``'on'`` is
      refused there: mmcv's CPU kernels (nms, roi_align) take float32 only and fail on bf16 tensors.
    """
    has_gpu = torch.cuda.is_available()
    if launcher != 'none' and not has_gpu:
        cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
        if not cfg.get('strategy'):  # a FlexibleRunner strategy (FSDP) wraps the model itself
            wrapper = cfg.get('model_wrapper_cfg') or {}
            wrapper = dict(wrapper, type='cledi.CPUDistributedDataParallel')
            wrapper.setdefault('find_unused_parameters', cfg.get('find_unused_parameters', False))
            cfg.model_wrapper_cfg = wrapper
        if launcher == 'pytorch' and not torch_dist.is_initialized():
            torch_dist.init_process_group(backend='gloo')

    mode = _amp_mode(amp if amp is not None else cfg.get('amp', 'off'))
    cpu_bf16_works = cfg.get('default_scope') != 'mmdet'
    if mode == 'on' and not has_gpu and not cpu_bf16_works:
        raise ValueError("amp 'on' needs a GPU for MMDetection models: on the CPU mmcv's nms and roi_align have no "
                         "bf16 kernels; use --amp off (or 'auto', which keeps float32 on the CPU)")
    use_amp = mode == 'on' or (mode == 'auto' and (has_gpu or (cpu_has_native_bf16() and cpu_bf16_works)))
    optim_wrapper = cfg.get('optim_wrapper')
    if use_amp and isinstance(optim_wrapper, dict) and optim_wrapper.get('type', 'OptimWrapper') == 'OptimWrapper':
        if has_gpu:
            optim_wrapper['type'] = 'AmpOptimWrapper'
            optim_wrapper.setdefault('loss_scale', 'dynamic')
        else:
            optim_wrapper['type'] = 'cledi.AutocastOptimWrapper'
            optim_wrapper.setdefault('dtype', 'bfloat16')
            if not cpu_has_native_bf16():
                print_log('bf16 autocast on a CPU without native bf16 (no AVX512-BF16 / AMX): expect it to be '
                          'slower than float32', logger='current', level=30)
        print_log(f'mixed precision on: optim_wrapper.type = {optim_wrapper["type"]}', logger='current')
    cfg.pop('amp', None)
    return cfg


def finish_distributed(exit_process: bool = False) -> None:
    """Close the process group once every process is done (a no-op in a single-process run).

    MMEngine leaves the group open. A gloo process that reaches interpreter exit with it still open can abort
    in the group's C++ teardown ("terminate called without an active exception", SIGABRT), and torchrun then
    kills the other processes, a main process still writing its checkpoints among them. Measured with
    ``tools/dist_train.sh`` on 2 CPU processes beside a busy core: 3 aborts in 20 runs before this, none in 30
    after. The barrier first lets the main process finish its writes while the others wait.

    Closing the group is not enough on torch 2.14: the same abort still came in 3 of 59 such runs (a 1-epoch
    2-process run of the test suite's tiny config, beside a CIFAR fine-tune on both cores), with no Python frame
    left on the main thread (``PYTHONFAULTHANDLER=1``), i.e. in the interpreter's teardown after ``main``
    returned. So with ``exit_process`` (the tools' multi-process runs) the process ends right here with status 0
    (``os._exit``) once the logs and standard streams are flushed: everything the run writes (checkpoints,
    scalars, the log, the visualizer's files, closed by MMEngine's ``after_run``) is on disk by then, and the
    teardown that aborts never runs. Measured the same way: none in 50 runs.
    """
    if not (torch_dist.is_available() and torch_dist.is_initialized()):
        return
    torch_dist.barrier()
    torch_dist.destroy_process_group()
    if exit_process:
        logging.shutdown()  # flushes and closes every logging handler, MMEngine's log file among them
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def prepare_runner_config(cfg: Config, check_data: bool = True) -> Config:
    """Apply cledi's fixes to a loaded config before ``Runner.from_cfg``.

    - removes the ``_scope_`` that ``mmpretrain::``/``mmdet::`` bases inject into ``collate_fn``;
    - puts the top-level ``data_preprocessor`` into ``cfg.model`` (:func:`merge_data_preprocessor`);
    - makes ``auto_scale_lr`` count every micro-batch of an accumulated step (:func:`scale_lr_for_accumulation`);
    - checks that every ``data_root`` exists (``check_data=True``);
    - makes the CheckpointHook write atomically (:class:`cledi.engine.AtomicLocalBackend`) unless the config
      chose a storage backend or a remote ``out_dir`` itself.
    """
    strip_collate_scope(cfg)
    merge_data_preprocessor(cfg)
    scale_lr_for_accumulation(cfg)
    checkpoint_hook = (cfg.get('default_hooks') or {}).get('checkpoint')
    local = '://' not in str(checkpoint_hook.get('out_dir') or '') if isinstance(checkpoint_hook, dict) else False
    if local and not checkpoint_hook.get('backend_args'):
        checkpoint_hook['backend_args'] = dict(backend=ATOMIC_BACKEND)
    if check_data:
        check_data_roots(cfg)
    return cfg
