"""Train with a cledi config: CL-EDI / MoCo v3 pre-training (MMPretrain) or detection transfer (MMDetection).

    python tools/train.py CONFIG [--data-root DIR] [--work-dir DIR] [--resume [CHECKPOINT]] [--amp [on|off|auto]]
                          [--cfg-options k=v ...]
    bash tools/dist_train.sh CONFIG NUM_PROCESSES [same options]

The registry scope is the config's ``default_scope``. Without a GPU, multi-process runs use gloo. A config with
a ``strategy`` (sharded training: ``cledi.FSDPStrategy``, MMEngine's ``DeepSpeedStrategy``) runs with MMEngine's
``FlexibleRunner`` instead of the ``Runner``; launch it like any multi-process run (``dist_train.sh``).
"""
import argparse
import importlib.util
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction
from mmengine.runner import FlexibleRunner, Runner

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a clone without `pip install`
from cledi.engine import DamagedCheckpointError, NonFiniteLossError, resume_checkpoint  # noqa: E402
from cledi.utils import finish_distributed, prepare_runner_config, set_data_root, setup_device  # noqa: E402
from cledi.utils.memory import keep_freed_memory  # noqa: E402
from cledi.utils.schedule import rescale_epochs  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a cledi config')
    parser.add_argument('config', help='config file')
    parser.add_argument('--work-dir', help='where logs and checkpoints go (default: work_dirs/<config name>)')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from CHECKPOINT, or with no value from the latest checkpoint in the work dir')
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
    if not osp.isfile(args.config):
        raise FileNotFoundError(f"config file '{args.config}' does not exist")
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.data_root:
        set_data_root(cfg, args.data_root)
    if args.epochs:
        rescale_epochs(cfg, args.epochs)
    strategy = cfg.get('strategy') or {}
    if 'DeepSpeed' in str(strategy.get('type', '')) and importlib.util.find_spec('deepspeed') is None:
        raise SystemExit(f"error: '{args.config}' trains with DeepSpeed, which is not installed: pip install "
                         'deepspeed, or use the FSDP config of the same model (configs/cledi/*-fsdp-*.py)')
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
        if not osp.isfile(args.resume):
            raise FileNotFoundError(f"--resume checkpoint '{args.resume}' does not exist; pass an existing .pth "
                                    'file, or --resume alone to continue from the latest one in the work dir')
        cfg.resume = True
        cfg.load_from = resume_checkpoint(cfg.work_dir, args.resume)
    setup_device(cfg, args.launcher, amp=args.amp)
    return prepare_runner_config(cfg)


def main(argv=None):
    args = parse_args(argv)
    keep_freed_memory()  # ~1.3x faster CPU steps: activations reuse heap memory instead of page-faulting in again
    try:
        cfg = build_config(args)
    except DamagedCheckpointError as error:  # the message names the checkpoint and what to do
        raise SystemExit(f'error: {error}') from None
    runner = (FlexibleRunner if cfg.get('strategy') else Runner).from_cfg(cfg)
    try:
        runner.train()
    except NonFiniteLossError as error:
        runner.logger.error(str(error))
        raise SystemExit(f'error: {error}') from None
    finish_distributed(exit_process=True)  # a multi-process run ends here (see its docstring)


if __name__ == '__main__':
    main()
