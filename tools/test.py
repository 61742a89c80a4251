"""Evaluate a checkpoint with a cledi config (classification / detection configs with a test split).

    python tools/test.py CONFIG CHECKPOINT [--data-root DIR] [--work-dir DIR] [--out FILE] [--cfg-options k=v ...]
                         [--debug]
    bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCESSES [same options]

For kNN evaluation of pre-training checkpoints use tools/knn_eval.py.
"""
import argparse
import os
import os.path as osp

from mmengine.config import DictAction
from mmengine.runner import Runner

from cledi.apis import check_stack, load_config, run_tool
from cledi.engine import finish_distributed, prepare_runner_config, setup_device
from cledi.utils import InputError, checkpoint_problem
from cledi.utils.errors import DamagedCheckpointError


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Test a checkpoint with a cledi config', formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='example:\n  python tools/test.py configs/benchmarks/detection/mask-rcnn_vit-mini-p8-simplefpn_1xb4-24e_'
        'pennfudan.py work_dirs/det/epoch_24.pth --data-root ../shared/data/pennfudan')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where the test logs go (default: work_dirs/<config name>)')
    parser.add_argument('--data-root', help='point every dataloader (and COCO-style evaluator) of the config here')
    parser.add_argument('--out', help='dump the raw predictions to this pickle file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config entries')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options, args.data_root)
    check_stack(cfg, args.config)
    problem = checkpoint_problem(args.checkpoint)
    if problem is not None:
        raise DamagedCheckpointError(f"checkpoint '{args.checkpoint}' cannot be tested: {problem}; pass an intact "
                                     '.pth file of this config')
    if not cfg.get('test_dataloader') or not cfg.get('test_evaluator'):
        raise InputError(f"config '{args.config}' has no test_dataloader / test_evaluator; for a pre-training "
                         'config use tools/knn_eval.py CONFIG CHECKPOINT')
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    if args.out:
        cfg.test_evaluator = list(cfg.test_evaluator) if isinstance(cfg.test_evaluator, (list, tuple)) \
            else [cfg.test_evaluator]
        cfg.test_evaluator.append(dict(type='DumpResults', out_file_path=args.out))
    setup_device(cfg, args.launcher)
    runner = Runner.from_cfg(prepare_runner_config(cfg))
    runner.test()
    finish_distributed(exit_process=True)  # a multi-process run ends here (see its docstring)


if __name__ == '__main__':
    run_tool(main)
