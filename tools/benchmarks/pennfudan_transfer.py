"""Detection transfer on Penn-Fudan: Mask R-CNN fine-tuned from CL-EDI, MoCo v3 and random initialisation, seeds.

    python tools/benchmarks/pennfudan_transfer.py [--seeds 0 1 2] [--epochs 24] [--fit-check]
    python tools/benchmarks/pennfudan_transfer.py --config configs/benchmarks/detection/mask-rcnn_vit-mini-p4-\
simplefpn_1xb4-20e_pennfudan.py --pretrain cifar10 --pretrain-root work_dirs/bench_fast   # the CIFAR-10 runs

Every run uses the identical detection config and schedule; only the backbone initialisation and the seed differ.
Seed ``s`` pre-trains both methods with seed ``s`` and fine-tunes all three initialisations with seed ``s``, so the
seed spread holds both sources of noise.

Pre-training (``--pretrain``):
- ``pennfudan`` (default): CL-EDI and MoCo v3 with the same budget (100 epochs, batch 40) on the 120 unlabelled
  Penn-Fudan *training* images, the in-domain low-data case, at the detection config's patch size and a crop of
  12 patches (48 px at patch 4, 96 px at patch 8), from ``configs/{cledi,mocov3}/*_1xb40-coslr-100e_pennfudan.py``.
- ``cifar10``: the ``lowdata_knn.py`` checkpoints ``<pretrain-root>/<method>_e<pretrain-epochs>_seed<s>`` (patch 4).

``--fit-check`` first fine-tunes random init on the 50 val images and scores it on the same images: the detector
must be able to fit what it sees before its val numbers can rank anything.

Bookkeeping: each run has its own work dir under ``--work-root``; a finished run (its final checkpoint exists) is
read, not re-run; an interrupted one resumes from its last checkpoint (saved every 6 epochs). Writes the table
(mean ± std over seeds, per-seed values, wall times) to docs/benchmarks.md after every seed that all three
initialisations have finished.
"""
import functools
import json
import os.path as osp
import statistics

import torch

from cledi.apis import tool_parser
from cledi.benchmarks.common import (PENNFUDAN_PRETRAIN_EPOCHS, ROOT, default_data_root, load_config, logged_scalars,
                                     lowdata_run_dir, machine, mean_std, paired_gap, pennfudan_pretrain_dir,
                                     run_or_resume)
from cledi.benchmarks.report import write_section

CONFIG = 'configs/benchmarks/detection/mask-rcnn_vit-mini-p8-simplefpn_1xb4-24e_pennfudan.py'
INITS = ('random init', 'MoCo v3', 'CL-EDI')
METHOD_OF = {'MoCo v3': 'mocov3', 'CL-EDI': 'cledi'}
PENNFUDAN_PRETRAIN = {
    'cledi': 'configs/cledi/cledi_vit-mini-p4_1xb40-coslr-100e_pennfudan.py',
    'mocov3': 'configs/mocov3/mocov3_vit-mini-p4_1xb40-coslr-100e_pennfudan.py',
}
METRICS = ('bbox_mAP', 'bbox_mAP_50', 'segm_mAP', 'segm_mAP_50')


def parse_args(argv=None):
    parser = tool_parser(__doc__)
    parser.add_argument('--config', default=CONFIG, help='the detection config (all runs)')
    parser.add_argument('--epochs', type=int, default=24)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--inits', nargs='+', choices=INITS, default=list(INITS),
                        help='run only these initialisations now (the table needs all three)')
    parser.add_argument('--pretrain', choices=('pennfudan', 'cifar10'), default='pennfudan')
    parser.add_argument('--pretrain-root', default='work_dirs/bench_fast',
                        help='--pretrain cifar10: the lowdata_knn.py work root')
    parser.add_argument('--pretrain-epochs', type=int, default=12, help='--pretrain cifar10: which runs')
    parser.add_argument('--fit-check', action='store_true',
                        help='also fine-tune random init on the val images and score it on them')
    parser.add_argument('--data-root', default=default_data_root('pennfudan'))
    parser.add_argument('--work-root', default='work_dirs/bench_pennfudan')
    parser.add_argument('--section', default='pennfudan-seeds')
    parser.add_argument('--out', default='docs/benchmarks.md')
    parser.add_argument('--verdicts', metavar='JSON',
                        help='only write the verdicts of a finished table from its per-seed values')
    return parser.parse_args(argv)


@functools.lru_cache
def config_patch_size(config: str) -> int:
    return load_config(config).model.backbone.patch_size


def command_line(args) -> str:
    parts = ['python tools/benchmarks/pennfudan_transfer.py']
    if args.config != CONFIG:
        parts.append(f'--config {args.config}')
    parts += [f'--epochs {args.epochs}', f'--seeds {" ".join(map(str, args.seeds))}']
    if args.pretrain != 'pennfudan':
        parts.append(f'--pretrain {args.pretrain} --pretrain-root {args.pretrain_root} '
                     f'--pretrain-epochs {args.pretrain_epochs}')
    if args.fit_check:
        parts.append('--fit-check')
    return ' '.join(parts)


def pretrained_checkpoint(args, method, seed):
    if args.pretrain == 'cifar10':
        path = osp.join(lowdata_run_dir(args.pretrain_root, method, args.pretrain_epochs, seed),
                        f'epoch_{args.pretrain_epochs}.pth')
        if not osp.isfile(osp.join(ROOT, path)):
            raise SystemExit(f"checkpoint '{path}' does not exist: run tools/benchmarks/lowdata_knn.py --work-root "
                             f'{args.pretrain_root} --epochs {args.pretrain_epochs} --seeds {seed} first')
        return path
    patch = config_patch_size(args.config)
    work_dir = pennfudan_pretrain_dir(args.work_root, method, patch, seed)
    crop = 12 * patch  # 12x12 patch tokens at every patch size
    options = [f'randomness.seed={seed}', f'model.backbone.patch_size={patch}', f'model.backbone.img_size={crop}',
               # the crop of both views (pennfudan_images.py: pipeline[1] is cledi.RecipeViews)
               f'train_dataloader.dataset.pipeline.1.size={crop}']
    run_or_resume(PENNFUDAN_PRETRAIN[method], work_dir, f'epoch_{PENNFUDAN_PRETRAIN_EPOCHS}.pth', args.data_root,
                  options=options)
    return osp.join(work_dir, f'epoch_{PENNFUDAN_PRETRAIN_EPOCHS}.pth')


def finetune_epochs(args, fit_check=False):
    """The fit check trains on the 50 val images for as many iterations as a run on the 120 training images."""
    return args.epochs * 120 // 50 if fit_check else args.epochs


def finetune_dir(args, name, seed, fit_check=False):
    tag = 'fit-check' if fit_check else ('scratch' if name == 'random init' else f'{METHOD_OF[name]}-{args.pretrain}')
    epochs = finetune_epochs(args, fit_check)
    return osp.join(args.work_root, f'{osp.splitext(osp.basename(args.config))[0]}_{tag}_e{epochs}_seed{seed}')


def finetune(args, name, seed, fit_check=False):
    """COCO metrics of one fine-tune on the val images (run when missing) and its wall time in seconds."""
    work_dir = finetune_dir(args, name, seed, fit_check)
    checkpoint = None if name == 'random init' else pretrained_checkpoint(args, METHOD_OF[name], seed)
    options = [f'model.backbone.init_cfg.checkpoint={checkpoint}', f'randomness.seed={seed}',
               'default_hooks.checkpoint.interval=6', 'default_hooks.checkpoint.max_keep_ckpts=1']
    if fit_check:
        options.append('train_dataloader.dataset.ann_file=annotations/val.json')
    epochs = finetune_epochs(args, fit_check)
    run_or_resume(args.config, work_dir, f'epoch_{epochs}.pth', args.data_root, epochs, options)
    return read_result(osp.join(ROOT, work_dir))


def read_result(work_dir):
    records = logged_scalars(work_dir)
    metrics = [r for r in records if 'coco/bbox_mAP' in r]
    if not metrics:
        raise SystemExit(f'{work_dir} finished without COCO metrics: delete it and run again')
    result = {m: 100 * metrics[-1][f'coco/{m}'] for m in METRICS}
    result['wall_s'] = float(open(osp.join(work_dir, 'wall_time.txt')).read())
    return result


def verdicts(rows):
    """The issue's two targets on bbox and segm mAP, paired per seed by the project's one rule
    (``common.paired_gap``): CL-EDI > random init and CL-EDI >= MoCo v3, each reached only where there are >= 3
    paired seeds, the mean of the per-seed differences reaches 0 and every seed's difference is positive."""
    lines = []
    for task in ('bbox', 'segm'):
        values = {name: [r[f'{task}_mAP'] for r in rows[name]] for name in rows}
        lines.append(f'- {task} mAP: CL-EDI - random init {paired_gap(values["CL-EDI"], values["random init"], 0.0, 1)}; '
                     f'CL-EDI - MoCo v3 {paired_gap(values["CL-EDI"], values["MoCo v3"], 0.0, 1)}.')
    return lines


def write_verdicts(args, path):
    """The verdict lines of a finished table from its per-seed values (a JSON of ``{init: {bbox_mAP: [...],
    segm_mAP: [...]}}``, the seeds in order), as their own section ``<section>-verdicts``."""
    with open(path) as f:
        data = json.load(f)
    rows = {name: [dict(bbox_mAP=b, segm_mAP=s) for b, s in zip(data[name]['bbox_mAP'], data[name]['segm_mAP'])]
            for name in INITS}
    lines = [f'Command: `python tools/benchmarks/pennfudan_transfer.py --verdicts {path}`', '',
             f'Per-seed values: `{path}` ({data["source"]}).', '', 'Targets:'] + verdicts(rows)
    write_section(osp.join(ROOT, args.out), f'{args.section}-verdicts',
                  'Detection transfer with seeds: the verdicts (paired per seed)', '\n'.join(lines))
    print('\n'.join(lines), flush=True)
    return lines


def main(argv=None):
    args = parse_args(argv)
    if args.verdicts:
        return write_verdicts(args, args.verdicts)
    fit = finetune(args, 'random init', args.seeds[0], fit_check=True) if args.fit_check else None
    rows = {name: [] for name in args.inits}
    for seed in args.seeds:  # seed by seed, so that an interrupted invocation leaves whole seeds in the table
        for name in args.inits:
            rows[name].append(finetune(args, name, seed))
        if set(rows) == set(INITS):
            write_table(args, rows, args.seeds[:len(rows['CL-EDI'])], fit)
    return rows


def write_table(args, rows, seeds, fit=None):
    batch = load_config(PENNFUDAN_PRETRAIN['cledi']).train_dataloader.batch_size
    source = (f'{PENNFUDAN_PRETRAIN_EPOCHS} epochs of CL-EDI / MoCo v3 (same budget, batch {batch}) on the 120 '
              f'unlabelled Penn-Fudan training images at patch {config_patch_size(args.config)}, 12x12-patch crops, '
              'seed = the fine-tune seed'
              if args.pretrain == 'pennfudan' else
              f'the {args.pretrain_epochs}-epoch low-data CIFAR-10 runs of lowdata_knn.py in {args.pretrain_root}')
    done = '' if len(seeds) == len(args.seeds) else f' (so far: {len(seeds)} of the {len(args.seeds)} seeds asked for)'
    lines = [
        f'Command: `{command_line(args)}`',
        '',
        f'Machine: {machine()}, torch {torch.__version__}; detectors in float32 (they stay float32 on the CPU). '
        f'Config `{args.config}`, {args.epochs} epochs on the 120 training images; COCO metrics on the 50 val '
        f'images; seeds {", ".join(map(str, seeds))}{done}. Pre-trained backbones: {source}.',
        '',
        '| init | bbox mAP | bbox mAP@50 | segm mAP | segm mAP@50 | bbox mAP per seed | segm mAP per seed | '
        'fine-tune wall time (median) |',
        '|---|---|---|---|---|---|---|---|',
    ]
    for name, results in rows.items():
        cells = [mean_std([r[m] for r in results], digits=1) for m in METRICS]
        per_seed = [', '.join(f'{r[m]:.1f}' for r in results) for m in ('bbox_mAP', 'segm_mAP')]
        wall = statistics.median(r['wall_s'] for r in results) / 60
        lines.append(f'| {name} | {" | ".join(cells)} | {" | ".join(per_seed)} | {wall:.1f} min |')
    if fit:
        lines += ['', f'Fit check (random init trained and scored on the 50 val images, seed {args.seeds[0]}): '
                  f'bbox mAP {fit["bbox_mAP"]:.1f} (mAP@50 {fit["bbox_mAP_50"]:.1f}), segm mAP {fit["segm_mAP"]:.1f} '
                  f'(mAP@50 {fit["segm_mAP_50"]:.1f}), {fit["wall_s"] / 60:.1f} min.']
    lines += ['', 'Targets:'] + verdicts(rows)
    write_section(osp.join(ROOT, args.out), args.section,
                  f'Detection transfer with seeds, Mask R-CNN on Penn-Fudan (CPU, {args.pretrain} pre-training)',
                  '\n'.join(lines))
    print('\n'.join(lines), flush=True)


if __name__ == '__main__':
    main()
