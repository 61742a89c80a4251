"""Fine-tuning on the 5,000 labelled low-data CIFAR-10 images: CL-EDI, MoCo v3 and random init, seeds.

    python tools/benchmarks/lowdata_finetune.py --work-root work_dirs/bench_final --epochs 12 --seeds 0 1 2
        [--finetune-epochs 100] [--val]

The third measure of the detail-design protocol (docs/benchmarks.md), after kNN and the linear probe: every
backbone is fine-tuned end to end with the identical recipe (configs/benchmarks/finetune/, AdamW, layer-wise lr
decay 0.65, label smoothing, warm-up + cosine; ``--finetune-epochs`` stretches the schedule) on the images it was
pre-trained on, now with their labels, and scored by top-1 after the last epoch (never the best epoch: that
would choose on the scoring split). Checkpoints: ``<work-root>/<method>_e<epochs>_seed<s>/epoch_<epochs>.pth`` of
``tools/benchmarks/lowdata_knn.py``; random init is the same ViT from the fine-tune's seed. Seed ``s`` fine-tunes
the seed-``s`` pre-trainings with seed ``s``, so the CL-EDI - MoCo v3 differences are paired per seed. Scored on
the 10,000 test images, or with ``--val`` on the 5,000 held-out training images (files 0500-0999 of each class).

Bookkeeping: one work dir per fine-tune under ``<work-root>/finetune``; a finished one (its last checkpoint exists)
is read, not re-run, and an interrupted one resumes from its last checkpoint (saved every 10 epochs), so running
the same command again continues. Writes the table into docs/benchmarks.md.
"""
import os.path as osp
import statistics

from cledi.apis import tool_parser
from cledi.benchmarks import (METHODS, NAMES, ROOT, TARGETS, default_data_root, load_config, lowdata_run_dir, machine,
                              mean_std, paired_gap, write_section)
from cledi.benchmarks.common import FINETUNE_CONFIG as CONFIG
from cledi.benchmarks.common import finetune_recipe, finetune_top1

INITS = ('random', *METHODS)


def parse_args(argv=None):
    parser = tool_parser(__doc__)
    parser.add_argument('--work-root', default='work_dirs/bench_lowdata_knn', help="lowdata_knn.py's work root")
    parser.add_argument('--epochs', type=int, default=12, help='pre-training epochs: which runs')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--finetune-epochs', type=int, default=100, help="the config's 100 unless given")
    parser.add_argument('--inits', nargs='+', choices=INITS, default=list(INITS),
                        help='fine-tune only these now (the table shows what has finished)')
    parser.add_argument('--val', action='store_true',
                        help='score on 5,000 held-out training images instead of the test split (for choosing)')
    parser.add_argument('--data-root', default=default_data_root('cifar10'))
    parser.add_argument('--section', help='docs section (default: lowdata-finetune, plus -val with --val)')
    parser.add_argument('--out', default='docs/benchmarks.md')
    args = parser.parse_args(argv)
    args.section = args.section or f'lowdata-finetune{"-val" if args.val else ""}'
    return args


def finetune_dir(args, init, seed):
    name = f'random_seed{seed}' if init == 'random' else osp.basename(lowdata_run_dir('', init, args.epochs, seed))
    return osp.join(args.work_root, 'finetune', f'{name}_ft{args.finetune_epochs}{"_val" if args.val else ""}')


def pretrained_checkpoint(args, init, seed):
    """The pre-training's last checkpoint, or None for random init; a missing one names the command to make it."""
    if init == 'random':
        return None
    path = osp.join(lowdata_run_dir(args.work_root, init, args.epochs, seed), f'epoch_{args.epochs}.pth')
    if not osp.isfile(osp.join(ROOT, path)):
        raise SystemExit(f"checkpoint '{path}' does not exist: run tools/benchmarks/lowdata_knn.py --work-root "
                         f'{args.work_root} --epochs {args.epochs} --seeds {seed} first')
    return path


def finetune(args, init, seed):
    """Fine-tune one initialisation with one seed (unless finished) and return its result."""
    return finetune_top1(pretrained_checkpoint(args, init, seed), finetune_dir(args, init, seed), args.data_root, seed,
                         args.finetune_epochs, 'val' if args.val else 'test',
                         osp.join(args.work_root, 'val_holdout.txt'))


def report(args, rows):
    names = dict(NAMES, random='random init')
    split = ('the 5,000 held-out training images (files 0500-0999 of each class; validation, not test)' if args.val
             else 'the 10,000 test images')
    lines = [
        f'Command: `python tools/benchmarks/lowdata_finetune.py --work-root {args.work_root} --epochs {args.epochs} '
        f'--seeds {" ".join(map(str, args.seeds))} --finetune-epochs {args.finetune_epochs}'
        f'{" --val" if args.val else ""}`',
        '',
        f'Machine: {machine()}. Checkpoints: the {args.epochs}-epoch low-data CIFAR-10 pre-trainings of '
        f'`lowdata_knn.py` in `{args.work_root}` (seed = the fine-tune seed); random init: the same ViT from the '
        f'fine-tune seed. Recipe: `{CONFIG}` over {args.finetune_epochs} epochs '
        f'({finetune_recipe(load_config(CONFIG))}) on the 5,000 labelled images of '
        f'`meta/train_10pct.txt`; top-1 after the last epoch on {split}.',
        '',
        '| initialisation | top-1 | top-5 | per seed (top-1) | fine-tune wall time (median) |',
        '|---|---|---|---|---|',
    ]
    for init, results in rows.items():
        if results:
            lines.append(f'| {names[init]} | {mean_std([r["top1"] for r in results])} | '
                         f'{mean_std([r["top5"] for r in results])} | '
                         f'{", ".join(format(r["top1"], ".2f") for r in results)} | '
                         f'{statistics.median(r["wall_s"] for r in results) / 60:.1f} min |')
    if len(rows['cledi']) == len(rows['mocov3']) == len(args.seeds):
        gap = paired_gap([r['top1'] for r in rows['cledi']], [r['top1'] for r in rows['mocov3']], target=TARGETS['finetune'])
        lines += ['', f'CL-EDI - MoCo v3, top-1: {gap}.']
    write_section(osp.join(ROOT, args.out), args.section,
                  f'Fine-tuning on the labelled low-data CIFAR-10 split (ViT-mini, CPU){", validation" if args.val else ""}',
                  '\n'.join(lines))
    print('\n'.join(lines), flush=True)


def main(argv=None):
    args = parse_args(argv)
    for init in args.inits:  # every checkpoint before the first fine-tune starts
        for seed in args.seeds:
            pretrained_checkpoint(args, init, seed)
    rows = {init: [] for init in INITS}
    for seed in args.seeds:
        for init in INITS:
            if init in args.inits or osp.isfile(osp.join(ROOT, finetune_dir(args, init, seed),
                                                         f'epoch_{args.finetune_epochs}.pth')):
                rows[init].append(finetune(args, init, seed))
        report(args, rows)
    return rows


if __name__ == '__main__':
    main()
