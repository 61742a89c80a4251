"""Dense linear probe (Penn-Fudan person masks, val mIoU) of the low-data CIFAR-10 checkpoints and of random init.

    python tools/benchmarks/dense_probe_bench.py --work-root work_dirs/bench_fast --epochs 12 --seeds 0 1
        [--input-size 128] [--section dense-probe]

Probes ``<work-root>/<method>_e<epochs>_seed<s>/epoch_<epochs>.pth`` of ``tools/benchmarks/lowdata_knn.py`` runs
for both methods and random init (one per seed, the seed of its weights), one ``tools/dense_probe.py`` call each;
every result is kept as ``<work-root>/dense_probe/<name>.json``, so an interrupted invocation resumes. Writes the
table (mean ± std over seeds, the per-seed CL-EDI - MoCo v3 differences) into ``docs/benchmarks.md``.
"""
import argparse
import json
import os
import os.path as osp
import statistics
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from tools import dense_probe  # noqa: E402
from tools.benchmarks.common import METHODS, NAMES, ROOT, default_data_root, machine, mean_std  # noqa: E402
from tools.benchmarks.lowdata_knn import MODELS  # noqa: E402
from tools.benchmarks.report import write_section  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-root', default='work_dirs/bench_lowdata_knn')
    parser.add_argument('--epochs', type=int, default=12)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    parser.add_argument('--model', choices=sorted(MODELS), default='vit-mini-p4')
    parser.add_argument('--input-size', type=int, default=128)
    parser.add_argument('--data-root', default=default_data_root('pennfudan'))
    parser.add_argument('--section', default='dense-probe')
    parser.add_argument('--out', default='docs/benchmarks.md')
    return parser.parse_args(argv)


def checkpoint_of(args, method, seed):
    if method == 'random':
        return 'random'
    return osp.join(args.work_root, f'{method}_e{args.epochs}_seed{seed}', f'epoch_{args.epochs}.pth')


def result_of(args, method, seed):
    name = f'random_seed{seed}' if method == 'random' else f'{method}_e{args.epochs}_seed{seed}'
    return osp.join(args.work_root, 'dense_probe', f'{name}_s{args.input_size}.json')


def probe(args, method, seed):
    """The probe's numbers for one checkpoint (cached as JSON beside the runs)."""
    result = result_of(args, method, seed)
    if osp.isfile(result):
        with open(result) as f:
            return json.load(f)
    config = MODELS[args.model]['cledi' if method == 'random' else method]
    checkpoint = checkpoint_of(args, method, seed)
    os.makedirs(osp.dirname(result), exist_ok=True)
    dense_probe.main([osp.join(ROOT, config), checkpoint, '--data-root', args.data_root, '--input-size',
                      str(args.input_size), '--seed', str(seed), '--out', result])
    with open(result) as f:
        return json.load(f)


def main(argv=None):
    args = parse_args(argv)
    start = time.time()
    missing = [checkpoint_of(args, m, s) for m in METHODS for s in args.seeds
               if not osp.isfile(result_of(args, m, s)) and not osp.isfile(checkpoint_of(args, m, s))]
    if missing:  # before any probe runs
        raise SystemExit(f"{', '.join(missing)} missing: run tools/benchmarks/lowdata_knn.py --work-root "
                         f'{args.work_root} --epochs {args.epochs} --seeds {" ".join(map(str, args.seeds))} first')
    rows = {method: [probe(args, method, seed) for seed in args.seeds] for method in ('random', *METHODS)}
    names = dict(NAMES, random='random init')
    lines = [
        f'Command: `python tools/benchmarks/dense_probe_bench.py --work-root {args.work_root} --epochs '
        f'{args.epochs} --seeds {" ".join(map(str, args.seeds))} --input-size {args.input_size}`',
        '',
        f'Machine: {machine()}. Checkpoints: the {args.epochs}-epoch low-data CIFAR-10 runs of '
        f'`lowdata_knn.py` in `{args.work_root}` ({MODELS[args.model]["text"]}, pre-trained at 32 px); random '
        'init: the same ViT at the initial weights of each seed. Probe: Penn-Fudan images resized to '
        f'{args.input_size} px squared (position embedding interpolated), last-block patch tokens, one linear '
        'classifier per token (person / background), 300 AdamW steps on the 120 training images and their '
        'mirror images, scored on the 50 val images at 128 x 128 masks.',
        '',
        '| initialisation | val mIoU | person IoU | background IoU | pixel acc. | per seed (mIoU) |',
        '|---|---|---|---|---|---|',
    ]
    for method, results in rows.items():
        lines.append(f'| {names[method]} | {mean_std([r["mIoU"] for r in results])} | '
                     f'{mean_std([r["iou_1"] for r in results])} | {mean_std([r["iou_0"] for r in results])} | '
                     f'{mean_std([r["pixel_acc"] for r in results])} | '
                     f'{", ".join(format(r["mIoU"], ".2f") for r in results)} |')
    differences = [c['mIoU'] - m['mIoU'] for c, m in zip(rows['cledi'], rows['mocov3'])]
    gap = statistics.mean(differences)
    lines += ['', f'CL-EDI - MoCo v3, val mIoU: **{gap:+.2f}** (per seed: '
              f'{", ".join(f"{d:+.2f}" for d in differences)}; target +2.0: '
              f'{"reached" if gap >= 2.0 and all(d > 0 for d in differences) else "not reached"}).',
              '', f'Wall time of this invocation: {(time.time() - start) / 60:.0f} min (cached probes are not re-run).']
    write_section(osp.join(ROOT, args.out), args.section, 'Dense linear probe, Penn-Fudan person masks (CPU)',
                  '\n'.join(lines))
    print('\n'.join(lines), flush=True)


if __name__ == '__main__':
    main()
