"""CL-EDI vs MoCo v3 on the low-data CIFAR-10 split, measured by kNN top-1 on the full CIFAR-10 test split.

    python tools/benchmarks/lowdata_knn.py [--epochs 30] [--seeds 0 1] [--data-root ../shared/data/cifar10]
    python tools/benchmarks/lowdata_knn.py --model vit-s-p4 --parallel --epochs 100 ...   # on a GPU

Pre-trains both methods with the identical backbone (ViT-mini patch 4 on the CPU, ``--model vit-s-p4`` on a
GPU), augmentations, batch size, optimizer, schedule and number of images seen (the twin configs below), one
run after the other (``--parallel``: side by side, e.g. two processes on one GPU), each through
tools/train.py with the kNN monitor (k=20/200, T=0.07, CLS features; bank = the 5,000 training images with
their labels, queries = the 10,000 test images). Design choices are made with ``--val`` instead: the queries are
then 5,000 held-out *training* images (files 0500-0999 of each class, disjoint from the 10 % split), so the
test split is never used for tuning; ``--cledi-config`` swaps in an ablation config. Interrupted? Run the same
command again: finished runs are skipped and unfinished ones resume from their last checkpoint. Finally writes
the tables (mean and spread over seeds, and the kNN curve over epochs) into docs/benchmarks.md with the command
and the machine. ``--feature-report`` scores the finished runs with CLS, mean-patch and CLS+mean features.
"""
import glob
import json
import os.path as osp
import subprocess
import sys
import time

import torch

from cledi.apis import tool_parser
from cledi.evaluation import FEATURE_TYPES
from cledi.visualization import read_scalars, scalar_curves
from cledi.benchmarks.common import (METHODS, MODELS, NAMES, ROOT, TARGETS, default_data_root, load_config,
                                     lowdata_run_dir, machine, mean_std, paired_gap, pretrain_recipe, start,
                                     train_command)
from cledi.benchmarks.report import write_section
from cledi.visualization.curves import plot_runs


def parse_args(argv=None):
    parser = tool_parser(__doc__)
    parser.add_argument('--epochs', type=int, default=30)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    parser.add_argument('--model', choices=sorted(MODELS), default='vit-mini-p4')
    parser.add_argument('--methods', nargs='+', choices=METHODS, default=['mocov3', 'cledi'])
    parser.add_argument('--parallel', action='store_true', help='train the methods of a seed side by side')
    parser.add_argument('--ckpt-interval', type=int, default=1, help='epochs between checkpoints')
    parser.add_argument('--val', action='store_true',
                        help='kNN queries = 5,000 held-out training images instead of the test split (for tuning)')
    parser.add_argument('--cledi-config', help='a CL-EDI config to use instead of the default (ablations)')
    parser.add_argument('--section', help='docs section key (default: lowdata-knn, plus the model and -gpu '
                        'when not the CPU default)')
    parser.add_argument('--data-root', default=default_data_root('cifar10'))
    parser.add_argument('--amp', choices=['on', 'off', 'auto'],
                        help="tools/train.py --amp (default: the configs' 'auto': bf16 on CPUs with native bf16)")
    parser.add_argument('--knn-interval', type=int, default=5)
    parser.add_argument('--work-root', default='work_dirs/bench_lowdata_knn')
    parser.add_argument('--out', default='docs/benchmarks.md')
    parser.add_argument('--cfg-options', nargs='+', default=[], help='extra overrides for both methods')
    parser.add_argument('--report-only', action='store_true', help='only rebuild the tables from finished runs')
    parser.add_argument('--feature-report', action='store_true',
                        help='score the final checkpoints (and random init) with CLS, mean-patch and CLS+mean '
                        'features on the held-out validation split and on the test split')
    return parser.parse_args(argv)


def run_dir(args, method, seed):
    variant = variant_name(args) if method == 'cledi' and args.cledi_config else None
    return lowdata_run_dir(args.work_root, method, args.epochs, seed, args.model, variant, args.val)


def variant_name(args):
    stem = osp.splitext(osp.basename(args.cledi_config))[0]
    return stem.split('10pct_')[-1]


def config_of(args, method):
    return args.cledi_config if method == 'cledi' and args.cledi_config else MODELS[args.model][method]


def method_name(args, method):
    return f'{NAMES[method]} ({variant_name(args)})' if method == 'cledi' and args.cledi_config else NAMES[method]


def monitor_options(val):
    """``--cfg-options`` of the kNN monitor's queries: the configs' val queries, or the test split."""
    return [] if val else ['default_hooks.knn.query_dataloader=knn_test_dataloader']


def train(args, method, seed, wait=True):
    """Start (or resume) one run; returns the process, or None when the run has finished already."""
    work_dir = run_dir(args, method, seed)
    if osp.isfile(osp.join(work_dir, f'epoch_{args.epochs}.pth')):
        print(f'[bench] {method} seed {seed}: finished already ({work_dir})', flush=True)
        return None
    config = config_of(args, method)
    val = monitor_options(args.val)
    resume = bool(glob.glob(osp.join(work_dir, 'epoch_*.pth')))
    cmd = train_command(
        config, work_dir, args.data_root, args.epochs, resume,
        options=[f'randomness.seed={seed}', f'default_hooks.checkpoint.interval={args.ckpt_interval}',
                 f'default_hooks.knn.interval={args.knn_interval}', *val, *args.cfg_options],
        extra=['--amp', args.amp] if args.amp else [])
    proc = start(cmd)
    return _wait(proc, method, seed, time.time()) if wait else (proc, method, seed, time.time())


def _wait(proc, method, seed, start):
    if proc.wait() != 0:
        raise SystemExit(f'[bench] {method} seed {seed} failed (exit code {proc.returncode}); run the same '
                         'command again to resume it from its last checkpoint')
    print(f'[bench] {method} seed {seed}: {time.time() - start:.0f} s', flush=True)


def knn_curve(work_dir):
    """{epoch: {'top1_k20': ..., 'top1_k200': ...}} from the run's scalars.json (a resumed run's records win)."""
    if not glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')):
        return {}
    curves = scalar_curves(read_scalars(work_dir), ['knn/top1_k20', 'knn/top1_k200'])
    return {epoch: {key[4:]: values[epochs.index(epoch)] for key, (epochs, values) in curves.items()}
            for epoch in curves.get('knn/top1_k20', ([], []))[0]}


def curves_plot(args, curves):
    """kNN and loss curves of every finished run, beside the docs table: ``figures/<section>.png``."""
    runs = [(m, s) for m in args.methods for s in args.seeds if curves[m, s]]
    if not runs:
        return None
    relative = osp.join('figures', f'{section_key(args)}.png')
    plot_runs([run_dir(args, m, s) for m, s in runs], osp.join(osp.dirname(osp.join(ROOT, args.out)), relative),
              [f'{method_name(args, m)} s{s}' for m, s in runs])
    return relative


def section_key(args):
    if args.section:
        return args.section
    suffix = '' if args.model == 'vit-mini-p4' else f'-{args.model}'
    variant = f'-{variant_name(args)}' if args.cledi_config else ''
    val = '-val' if args.val else ''
    return f'lowdata-knn{suffix}{variant}{val}{"-gpu" if torch.cuda.is_available() else ""}'


def command_options(args):
    """The options of this invocation that a reader needs to rerun it (besides epochs, seeds and overrides)."""
    extra = f' --model {args.model}' if args.model != 'vit-mini-p4' else ''
    extra += f' --methods {" ".join(args.methods)}' if args.methods != parse_args([]).methods else ''
    extra += f' --cledi-config {args.cledi_config}' if args.cledi_config else ''
    extra += ' --val' if args.val else ''
    extra += ' --parallel' if args.parallel else ''
    extra += f' --work-root {args.work_root}' if args.work_root != parse_args([]).work_root else ''
    extra += f' --section {args.section}' if args.section else ''
    return extra


def recipe_config(args):
    """The CL-EDI config as this invocation ran it (its --cfg-options and epochs applied)."""
    return load_config(config_of(args, 'cledi'), args.cfg_options, epochs=args.epochs)


def report(args, seconds):
    extra = command_options(args)
    queries = ('5,000 held-out training images (files 0500-0999 of each class; validation, not test) as queries'
               if args.val else 'the 10,000 test images as queries')
    curves = {(m, s): knn_curve(run_dir(args, m, s)) for m in args.methods for s in args.seeds}
    final = {m: {k: [curves[m, s][max(curves[m, s])][k] for s in args.seeds if curves[m, s]]
                 for k in ('top1_k20', 'top1_k200')} for m in args.methods}
    lines = [
        f'Command: `python tools/benchmarks/lowdata_knn.py{extra} --epochs {args.epochs} --seeds '
        f'{" ".join(map(str, args.seeds))} --knn-interval {args.knn_interval}`'
        f'{" (extra: " + " ".join(args.cfg_options) + ")" if args.cfg_options else ""}',
        '',
        f'Machine: {machine()}, torch {torch.__version__}, `--amp {args.amp or "auto"}`. Data: CIFAR-10 `meta/train_10pct.txt` (5,000 images) '
        f'for pre-training and as the kNN bank; {queries}. '
        f'{MODELS[args.model]["text"]}; {pretrain_recipe(recipe_config(args))}. kNN: CLS features, T = 0.07. '
        f'Mean ± standard deviation over seeds {", ".join(map(str, args.seeds))}.',
        '',
        '| method | kNN top-1 k=20 | kNN top-1 k=200 | runs |',
        '|---|---|---|---|',
    ]
    for m in args.methods:
        n = len(final[m]['top1_k20'])
        lines.append(f'| {method_name(args, m)} | {mean_std(final[m]["top1_k20"])} | '
                     f'{mean_std(final[m]["top1_k200"])} | {n} |')
    paired = [s for s in args.seeds if curves.get(('cledi', s)) and curves.get(('mocov3', s))]
    if paired:
        cledi, mocov3 = ([curves[m, s][max(curves[m, s])]['top1_k20'] for s in paired] for m in ('cledi', 'mocov3'))
        lines += ['', f'Gap CL-EDI - MoCo v3 (k=20, mean of the paired differences of seeds '
                  f'{", ".join(map(str, paired))}): {paired_gap(cledi, mocov3, target=TARGETS["knn"])}.']
    epochs = sorted({e for c in curves.values() for e in c})
    lines += ['', 'kNN top-1 (k=20) over epochs:', '',
              '| epoch | ' + ' | '.join(f'{method_name(args, m)} s{s}' for m in args.methods
                                        for s in args.seeds) + ' |',
              '|---|' + '---|' * (len(args.methods) * len(args.seeds))]
    for e in epochs:
        cells = [f'{curves[m, s][e]["top1_k20"]:.2f}' if e in curves[m, s] else '' for m in args.methods
                 for s in args.seeds]
        lines.append(f'| {e} | ' + ' | '.join(cells) + ' |')
    figure = curves_plot(args, curves)
    if figure:
        lines += ['', f'![kNN top-1 and losses over epochs, every run]({figure})']
    if seconds:
        lines += ['', f'Wall time of this invocation: {seconds / 60:.0f} min.']
    where = f'{torch.cuda.get_device_name(0)} GPU' if torch.cuda.is_available() else 'CPU'
    write_section(osp.join(ROOT, args.out), section_key(args),
                  f'CL-EDI vs MoCo v3, low-data CIFAR-10, kNN ({MODELS[args.model]["text"].split(" (")[0]}, {where})',
                  '\n'.join(lines))
    print('\n'.join(lines), flush=True)


def knn_eval(args, config, checkpoint, split, out):
    """tools/knn_eval.py --linear with all three feature types on 'val' (held-out training images) or 'test'; cached."""
    if not osp.isfile(out):
        cmd = [sys.executable, osp.join(ROOT, 'tools', 'knn_eval.py'), config, checkpoint, '--split', split,
               '--feature', *FEATURE_TYPES, '--linear', '--data-root', args.data_root, '--out', out]
        print(f'[bench] {" ".join(cmd)}', flush=True)
        subprocess.run(cmd, cwd=ROOT, check=True)
    with open(out) as f:
        return json.load(f)


def feature_report(args):
    """kNN top-1 (k=20) and linear-probe top-1 of each method's final checkpoints per feature type, val and test."""
    rows = []
    for method in args.methods:
        config = config_of(args, method)
        for split in ('val', 'test'):
            per_seed = []
            for seed in args.seeds:
                checkpoint = osp.join(run_dir(args, method, seed), f'epoch_{args.epochs}.pth')
                if not osp.isfile(osp.join(ROOT, checkpoint)):
                    raise SystemExit(f'[bench] {checkpoint} is missing: train first (same command without '
                                     '--feature-report)')
                per_seed.append(knn_eval(args, config, checkpoint, split,
                                         osp.join(ROOT, run_dir(args, method, seed), f'features_{split}.json')))
            rows.append((method_name(args, method), split, per_seed))
    for split in ('val', 'test'):
        out = osp.join(ROOT, args.work_root, f'random_features_{split}.json')
        rows.append(('random init', split, [knn_eval(args, MODELS[args.model]['cledi'], 'random', split, out)]))
    lines = [
        f'Command: `python tools/benchmarks/lowdata_knn.py{command_options(args)} --epochs {args.epochs} --seeds '
        f'{" ".join(map(str, args.seeds))} --feature-report`',
        '',
        'kNN top-1 (k=20, T=0.07, bank = the 5,000 pre-training images) and linear-probe top-1 (logistic '
        'regression on the same frozen features of the 5,000 labelled pre-training images, L2 strength from '
        '0.01 / 0.1 / 1 by 5-fold cross-validation on them) of the final checkpoints of the runs above, with '
        'three feature types (`tools/knn_eval.py --feature cls mean cls+mean --linear`): on **val** (5,000 '
        'held-out training images, files 0500-0999 of each class, for choosing) and on **test** (the 10,000 test '
        'images). Random init: the same ViT with its initial weights (seed 0). Mean over seeds '
        f'{", ".join(map(str, args.seeds))}.',
        '',
        '| method | split | kNN CLS | kNN mean of patches | kNN CLS + mean | linear CLS | linear mean | '
        'linear CLS + mean |',
        '|---|---|---|---|---|---|---|---|',
    ]
    for name, split, per_seed in sorted(rows, key=lambda r: (r[1] != 'val', r[0] == 'random init')):
        cells = [mean_std([r[f][metric] for r in per_seed])
                 for metric in ('top1_k20', 'linear_top1') for f in FEATURE_TYPES]
        lines.append(f'| {name} | {split} | ' + ' | '.join(cells) + ' |')
    lines += paired_feature_gaps(args, rows)
    write_section(osp.join(ROOT, args.out), f'{section_key(args)}-features',
                  'kNN and linear probe by feature type (ViT-mini, CPU)', '\n'.join(lines))
    print('\n'.join(lines), flush=True)


def paired_feature_gaps(args, rows):
    """CL-EDI - MoCo v3 per split: CLS kNN (target +2.0) and linear probe (target +1.5), then the other features."""
    results = {(name, split): per_seed for name, split, per_seed in rows}
    cledi, mocov3 = method_name(args, 'cledi'), method_name(args, 'mocov3')
    lines = []
    for split in ('val', 'test'):
        if (cledi, split) not in results or (mocov3, split) not in results:
            continue
        lines += ['', f'CL-EDI - MoCo v3 on {split} (mean of the per-seed paired differences):', '']
        for metric, feature, label, target in (
                ('top1_k20', 'cls', 'kNN CLS', TARGETS['knn']), ('linear_top1', 'cls', 'linear CLS', TARGETS['linear']),
                ('top1_k20', 'mean', 'kNN mean of patches', None), ('linear_top1', 'mean', 'linear mean', None),
                ('top1_k20', 'cls+mean', 'kNN CLS + mean', None), ('linear_top1', 'cls+mean', 'linear CLS + mean', None)):
            values = [[r[feature][metric] for r in results[name, split]] for name in (cledi, mocov3)]
            lines.append(f'- {label}: {paired_gap(*values, target=target)}')
    return lines


def main(argv=None):
    args = parse_args(argv)
    if args.feature_report:
        return feature_report(args)
    start = time.time()
    if not args.report_only:
        for seed in args.seeds:
            runs = [train(args, method, seed, wait=not args.parallel) for method in args.methods]
            for run in filter(None, runs):
                _wait(*run)
    report(args, 0 if args.report_only else time.time() - start)


if __name__ == '__main__':
    main()
