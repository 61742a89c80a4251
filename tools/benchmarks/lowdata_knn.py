"""CL-EDI vs MoCo v3 on the low-data CIFAR-10 split, measured by kNN top-1 on the full CIFAR-10 test split.

    python tools/benchmarks/lowdata_knn.py [--epochs 30] [--seeds 0 1] [--data-root ../shared/data/cifar10]
    python tools/benchmarks/lowdata_knn.py --model vit-s-p4 --parallel --epochs 100 ...   # on a GPU

Pre-trains both methods with the identical backbone (ViT-mini patch 4 on the CPU, ``--model vit-s-p4`` on a
GPU), augmentations, batch size, optimizer, schedule and number of images seen (the twin configs below), one
run after the other (``--parallel``: side by side, e.g. two processes on one GPU), each through
tools/train.py with the kNN monitor (k=20/200, T=0.07, CLS features; bank = the 5,000 training images with
their labels, queries = the 10,000 test images). Interrupted? Run the same command again: finished runs are
skipped and unfinished ones resume from their last checkpoint. Finally writes the tables (mean and spread over
seeds, and the kNN curve over epochs) into docs/benchmarks.md with the command and the machine.
"""
import argparse
import glob
import json
import os
import os.path as osp
import platform
import statistics
import subprocess
import sys
import time

import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
from tools.benchmarks.report import write_section  # noqa: E402

MODELS = {
    'vit-mini-p4': {
        'cledi': 'configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py',
        'mocov3': 'configs/mocov3/mocov3_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py',
        'text': 'ViT-mini (128-d, 6 layers, 4 heads) patch 4, 1024-wide projector / predictor',
    },
    'vit-s-p4': {
        'cledi': 'configs/cledi/cledi_vit-s-p4_1xb256-coslr-200e_cifar10-10pct.py',
        'mocov3': 'configs/mocov3/mocov3_vit-s-p4_1xb256-coslr-200e_cifar10-10pct.py',
        'text': 'ViT-S (384-d, 12 layers, 12 heads) patch 4, 4096-wide projector / predictor',
    },
}
METHODS = ('cledi', 'mocov3')
NAMES = {'cledi': 'CL-EDI', 'mocov3': 'MoCo v3'}


def parse_args(argv=None):
    default_data = osp.join(os.environ.get('CLEDI_DATA_ROOT', osp.join(osp.dirname(ROOT), 'shared', 'data')),
                            'cifar10')
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--epochs', type=int, default=30)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    parser.add_argument('--model', choices=sorted(MODELS), default='vit-mini-p4')
    parser.add_argument('--methods', nargs='+', choices=METHODS, default=['mocov3', 'cledi'])
    parser.add_argument('--parallel', action='store_true', help='train the methods of a seed side by side')
    parser.add_argument('--ckpt-interval', type=int, default=1, help='epochs between checkpoints')
    parser.add_argument('--section', help='docs section key (default: lowdata-knn, plus the model and -gpu '
                        'when not the CPU default)')
    parser.add_argument('--data-root', default=default_data)
    parser.add_argument('--knn-interval', type=int, default=5)
    parser.add_argument('--work-root', default='work_dirs/bench_lowdata_knn')
    parser.add_argument('--out', default='docs/benchmarks.md')
    parser.add_argument('--cfg-options', nargs='+', default=[], help='extra overrides for both methods')
    parser.add_argument('--report-only', action='store_true', help='only rebuild the tables from finished runs')
    return parser.parse_args(argv)


def run_dir(args, method, seed):
    model = '' if args.model == 'vit-mini-p4' else f'{args.model}_'
    return osp.join(args.work_root, f'{model}{method}_e{args.epochs}_seed{seed}')


def train(args, method, seed, wait=True):
    """Start (or resume) one run; returns the process, or None when the run has finished already."""
    work_dir = run_dir(args, method, seed)
    if osp.isfile(osp.join(work_dir, f'epoch_{args.epochs}.pth')):
        print(f'[bench] {method} seed {seed}: finished already ({work_dir})', flush=True)
        return None
    config = MODELS[args.model][method]
    resume = ['--resume'] if glob.glob(osp.join(work_dir, 'epoch_*.pth')) else []
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'train.py'), config, '--work-dir', work_dir,
           '--data-root', args.data_root, '--epochs', str(args.epochs), *resume, '--cfg-options',
           f'randomness.seed={seed}', f'default_hooks.checkpoint.interval={args.ckpt_interval}',
           f'custom_hooks.{len(_config(config).custom_hooks) - 1}.interval={args.knn_interval}', *args.cfg_options]
    print(f'[bench] {method} seed {seed}: {" ".join(cmd)}', flush=True)
    proc = subprocess.Popen(cmd, cwd=ROOT)
    return _wait(proc, method, seed, time.time()) if wait else (proc, method, seed, time.time())


def _wait(proc, method, seed, start):
    if proc.wait() != 0:
        raise SystemExit(f'[bench] {method} seed {seed} failed (exit code {proc.returncode}); run the same '
                         'command again to resume it from its last checkpoint')
    print(f'[bench] {method} seed {seed}: {time.time() - start:.0f} s', flush=True)


def _config(path):
    from mmengine.config import Config
    return Config.fromfile(osp.join(ROOT, path))


def knn_curve(work_dir):
    """{epoch: {'top1_k20': ..., 'top1_k200': ...}} from the run's scalars.json (latest run dir wins)."""
    curve = {}
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                if 'knn/top1_k20' in record:
                    curve[record['epoch']] = {k[4:]: v for k, v in record.items() if k.startswith('knn/top1')}
    return curve


def fmt(values):
    if not values:
        return 'n/a'
    if len(values) == 1:
        return f'{values[0]:.2f}'
    return f'{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}'


def machine():
    cpu = f'{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores'
    if torch.cuda.is_available():
        return f'{torch.cuda.get_device_name(0)} GPU, {cpu}, mixed precision (AmpOptimWrapper)'
    return f'{cpu}, fp32'


def section_key(args):
    if args.section:
        return args.section
    suffix = '' if args.model == 'vit-mini-p4' else f'-{args.model}'
    return f'lowdata-knn{suffix}{"-gpu" if torch.cuda.is_available() else ""}'


def report(args, seconds):
    batch = _config(MODELS[args.model]['cledi']).train_dataloader.batch_size
    extra = f' --model {args.model}' if args.model != 'vit-mini-p4' else ''
    extra += ' --parallel' if args.parallel else ''
    curves = {(m, s): knn_curve(run_dir(args, m, s)) for m in args.methods for s in args.seeds}
    final = {m: {k: [curves[m, s][max(curves[m, s])][k] for s in args.seeds if curves[m, s]]
                 for k in ('top1_k20', 'top1_k200')} for m in args.methods}
    lines = [
        f'Command: `python tools/benchmarks/lowdata_knn.py{extra} --epochs {args.epochs} --seeds '
        f'{" ".join(map(str, args.seeds))}`{" (extra: " + " ".join(args.cfg_options) + ")" if args.cfg_options else ""}',
        '',
        f'Machine: {machine()}, torch {torch.__version__}. Data: CIFAR-10 `meta/train_10pct.txt` (5,000 images) '
        'for pre-training and as the kNN bank; the 10,000 test images as queries. '
        f'{MODELS[args.model]["text"]}, batch {batch}, AdamW (config lr 1.5e-4 per 256 images unless the extra '
        f'options above override it; auto_scale_lr then multiplies by {batch}/256), wd 0.1, warm-up + cosine '
        f'over {args.epochs} epochs, temperature 0.2, momentum 0.99 -> 1. kNN: CLS features, T = 0.07. '
        f'Mean ± standard deviation over seeds {", ".join(map(str, args.seeds))}.',
        '',
        '| method | kNN top-1 k=20 | kNN top-1 k=200 | runs |',
        '|---|---|---|---|',
    ]
    for m in args.methods:
        n = len(final[m]['top1_k20'])
        lines.append(f'| {NAMES[m]} | {fmt(final[m]["top1_k20"])} | {fmt(final[m]["top1_k200"])} | {n} |')
    if {'cledi', 'mocov3'} <= set(args.methods) and final['cledi']['top1_k20'] and final['mocov3']['top1_k20']:
        gap = statistics.mean(final['cledi']['top1_k20']) - statistics.mean(final['mocov3']['top1_k20'])
        lines += ['', f'Gap CL-EDI - MoCo v3 (k=20, mean over seeds): **{gap:+.2f} points** '
                  f'(target +2.0: {"reached" if gap >= 2.0 else "not reached"}).']
    epochs = sorted({e for c in curves.values() for e in c})
    lines += ['', 'kNN top-1 (k=20) over epochs:', '',
              '| epoch | ' + ' | '.join(f'{NAMES[m]} s{s}' for m in args.methods for s in args.seeds) + ' |',
              '|---|' + '---|' * (len(args.methods) * len(args.seeds))]
    for e in epochs:
        cells = [f'{curves[m, s][e]["top1_k20"]:.2f}' if e in curves[m, s] else '' for m in args.methods
                 for s in args.seeds]
        lines.append(f'| {e} | ' + ' | '.join(cells) + ' |')
    if seconds:
        lines += ['', f'Wall time of this invocation: {seconds / 60:.0f} min.']
    where = f'{torch.cuda.get_device_name(0)} GPU' if torch.cuda.is_available() else 'CPU'
    write_section(osp.join(ROOT, args.out), section_key(args),
                  f'CL-EDI vs MoCo v3, low-data CIFAR-10, kNN ({MODELS[args.model]["text"].split(" (")[0]}, {where})',
                  '\n'.join(lines))
    print('\n'.join(lines), flush=True)


def main(argv=None):
    args = parse_args(argv)
    start = time.time()
    if not args.report_only:
        for seed in args.seeds:
            runs = [train(args, method, seed, wait=not args.parallel) for method in args.methods]
            for run in filter(None, runs):
                _wait(*run)
    report(args, 0 if args.report_only else time.time() - start)


if __name__ == '__main__':
    main()
