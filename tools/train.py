"""Train with a cledi config: CL-EDI / MoCo v3 pre-training (MMPretrain) or detection transfer (MMDetection).

    python tools/train.py CONFIG [--data-root DIR] [--work-dir DIR] [--resume [CHECKPOINT]] [--amp [on|off|auto]]
                          [--epochs N] [--cfg-options k=v ...] [--debug]
    bash tools/dist_train.sh CONFIG NUM_PROCESSES [same options]

The registry scope is the config's ``default_scope``. Without a GPU, multi-process runs use gloo. A config with
a ``strategy`` (sharded training: ``cledi.FSDPStrategy``, MMEngine's ``DeepSpeedStrategy``) runs with MMEngine's
``FlexibleRunner`` instead of the ``Runner``; launch it like any multi-process run (``dist_train.sh``). Bad input
(a missing config, data root or checkpoint, an unknown config key, a bad option value) ends with one line naming
it and the fix, exit code 2; ``--debug`` shows the traceback.
"""
import argparse
import importlib.util
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import FlexibleRunner, Runner

from cledi.apis import check_stack, load_config, run_tool
from cledi.engine import (NonFiniteLossError, finish_distributed, prepare_runner_config, resume_checkpoint,
                          setup_device)
from cledi.engine.console import HeldConsole
from cledi.utils import InputError, MissingInputError, keep_freed_memory

EXAMPLE = """example:
  python tools/train.py configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py \\
      --data-root ../shared/data/cifar10 --epochs 12"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a cledi config', epilog=EXAMPLE,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config file')
    parser.add_argument('--work-dir', help='where logs and checkpoints go (default: work_dirs/<config name>)')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from CHECKPOINT, or with no value from the latest intact checkpoint in the work dir')
    parser.add_argument('--data-root', help='point every dataloader of the config (kNN monitor included) here')
    parser.add_argument(
        '--epochs', type=int, help='change max_epochs; warm-up and cosine phases are stretched to match')
    parser.add_argument(
        '--amp',
        nargs='?',
        const='on',
        choices=['on', 'off', 'auto'],
        help="mixed precision: 'on' (alone: --amp) float16 on a GPU, bf16 autocast on a CPU; 'off' float32; "
        "'auto' (the configs' default) on where it pays off: a GPU, or a CPU with native bf16")
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config entries, e.g. train_dataloader.dataset.data_root=/data/imagenet')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def build_config(args) -> Config:
    cfg = load_config(args.config, args.cfg_options, args.data_root, args.epochs)
    check_stack(cfg, args.config)
    strategy = cfg.get('strategy') or {}
    if 'DeepSpeed' in str(strategy.get('type', '')) and importlib.util.find_spec('deepspeed') is None:
        raise InputError(f"'{args.config}' trains with DeepSpeed, which is not installed: pip install deepspeed, or "
                         'use the FSDP config of the same model (configs/cledi/*-fsdp-*.py)')
    cfg.launcher = args.launcher
    if args.work_dir:
        cfg.work_dir = args.work_dir
    elif not cfg.get('work_dir'):
        cfg.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.resume == 'auto':
        # the newest intact checkpoint of the work dir (a damaged one is skipped with a warning naming it)
        cfg.resume = True
        cfg.load_from = resume_checkpoint(cfg.work_dir)
    elif args.resume is not None:
        # a missing or damaged file stops here, naming the intact checkpoint beside it if there is one
        cfg.resume = True
        cfg.load_from = resume_checkpoint(cfg.work_dir, args.resume)
    setup_device(cfg, args.launcher, amp=args.amp)
    return prepare_runner_config(cfg)


def set_up_error(args, error: Exception) -> InputError:
    return InputError(f"'{args.config}' could not be set up for training ({type(error).__name__}: {error}); check "
                      "the config's keys and the --cfg-options values")


def main(argv=None):
    args = parse_args(argv)
    keep_freed_memory()  # ~1.3x faster CPU steps: activations reuse heap memory instead of page-faulting in again
    cfg = build_config(args)
    with HeldConsole() as console:  # set-up output appears when training starts, never before a set-up error
        try:
            runner = (FlexibleRunner if cfg.get('strategy') else Runner).from_cfg(cfg)
        except InputError:
            raise
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            raise set_up_error(args, error) from error
        runner.register_hook(console)
        try:
            runner.train()
        except NonFiniteLossError as error:
            runner.logger.error(str(error))
            raise SystemExit(f'error: {error}') from None
        except (InputError, MissingInputError):
            raise
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            if console.started:
                raise
            raise set_up_error(args, error) from error
    finish_distributed(exit_process=True)  # a multi-process run ends here (see its docstring)


if __name__ == '__main__':
    run_tool(main)
