"""Detection transfer on Penn-Fudan: Mask R-CNN fine-tuned from CL-EDI, MoCo v3 and random initialisation.

    python tools/benchmarks/pennfudan_transfer.py [--epochs 6] [--cledi-checkpoint PATH] [--mocov3-checkpoint PATH]
    python tools/benchmarks/pennfudan_transfer.py --pretrain pennfudan   # pre-train on the 120 training images first

The three runs use the identical config (configs/benchmarks/detection/mask-rcnn_vit-mini-p4-simplefpn_*
_pennfudan.py), schedule and seed; only the backbone initialisation differs. By default the pre-trained
checkpoints are the final seed-0 checkpoints of tools/benchmarks/lowdata_knn.py (ViT-mini patch 4 pre-trained
on the 5,000-image CIFAR-10 split). With ``--pretrain pennfudan`` both methods are first pre-trained (same
budget: 100 epochs at 48x48, configs/*/*_vit-mini-p4_1xb40-coslr-100e_pennfudan.py) on the 120 unlabelled
Penn-Fudan *training* images, the in-domain low-data case. Finished runs are skipped. Writes COCO bbox / segm mAP on the 50 val images
to docs/benchmarks.md.
"""
import argparse
import glob
import json
import os.path as osp
import subprocess
import sys
import time

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from tools.benchmarks.common import ROOT, default_data_root, machine, train_command  # noqa: E402
from tools.benchmarks.report import write_section  # noqa: E402

CONFIG = 'configs/benchmarks/detection/mask-rcnn_vit-mini-p4-simplefpn_1xb4-20e_pennfudan.py'
INITS = ('random init', 'MoCo v3', 'CL-EDI')
PRETRAIN = {
    'cifar10': 'the seed-0 checkpoints of the low-data CIFAR-10 benchmark above ({epochs} epochs on 5,000 32x32 '
               'images)',
    'pennfudan': '100 epochs of CL-EDI / MoCo v3 (same budget) on the 120 unlabelled Penn-Fudan training images, '
                 '48x48 crops, batch 40 (`configs/{{cledi,mocov3}}/*_vit-mini-p4_1xb40-coslr-100e_pennfudan.py`)',
}
PENNFUDAN_PRETRAIN = {
    'cledi': 'configs/cledi/cledi_vit-mini-p4_1xb40-coslr-100e_pennfudan.py',
    'mocov3': 'configs/mocov3/mocov3_vit-mini-p4_1xb40-coslr-100e_pennfudan.py',
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--epochs', type=int, default=6)
    parser.add_argument('--inits', nargs='+', choices=INITS, default=list(INITS),
                        help='run only these initialisations now (the table needs all three)')
    parser.add_argument('--pretrain', choices=sorted(PRETRAIN), default='cifar10',
                        help='where the default pre-trained checkpoints come from')
    parser.add_argument('--pretrain-epochs', type=int, default=12,
                        help='which lowdata_knn.py runs the default checkpoints come from (--pretrain cifar10)')
    parser.add_argument('--cledi-checkpoint')
    parser.add_argument('--mocov3-checkpoint')
    parser.add_argument('--data-root', default=default_data_root('pennfudan'))
    parser.add_argument('--work-root', default='work_dirs/bench_pennfudan')
    parser.add_argument('--out', default='docs/benchmarks.md')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def checkpoint_of(args, name):
    """The backbone initialisation of one run: None for random init, else a pre-training checkpoint."""
    if name == 'random init':
        return None
    method, given = ('cledi', args.cledi_checkpoint) if name == 'CL-EDI' else ('mocov3', args.mocov3_checkpoint)
    if given is None and args.pretrain == 'pennfudan':
        return pretrain_on_pennfudan(args, method)
    path = given or f'work_dirs/bench_lowdata_knn/{method}_e{args.pretrain_epochs}_seed0/epoch_{args.pretrain_epochs}.pth'
    if not osp.isfile(osp.join(ROOT, path)):
        raise FileNotFoundError(f"{name} checkpoint '{path}' does not exist: run tools/benchmarks/lowdata_knn.py "
                                f'first, or pass --{method}-checkpoint')
    return path


def pretrain_on_pennfudan(args, method):
    """Pre-train one method on the Penn-Fudan training images (skipped when its final checkpoint exists)."""
    work_dir = osp.join(args.work_root, f'pretrain_{method}_seed{args.seed}')
    path = osp.join(work_dir, 'epoch_100.pth')
    if not osp.isfile(osp.join(ROOT, path)):
        resume = bool(glob.glob(osp.join(ROOT, work_dir, 'epoch_*.pth')))
        cmd = train_command(PENNFUDAN_PRETRAIN[method], work_dir, args.data_root, resume=resume,
                            options=[f'randomness.seed={args.seed}'])
        print(f'[bench] pre-training {method}: {" ".join(cmd)}', flush=True)
        subprocess.run(cmd, cwd=ROOT, check=True)
    return path


def finetune(args, name, checkpoint):
    # random init does not depend on --pretrain: one run serves both tables
    tag = '' if name == 'random init' or args.pretrain == 'cifar10' else f'_pt-{args.pretrain}'
    work_dir = osp.join(args.work_root, name.replace(' ', '_').lower() + f'_e{args.epochs}{tag}')
    if not osp.isfile(osp.join(ROOT, work_dir, f'epoch_{args.epochs}.pth')):
        cmd = train_command(CONFIG, work_dir, args.data_root, args.epochs,
                            options=[f'model.backbone.init_cfg.checkpoint={checkpoint}', f'randomness.seed={args.seed}'])
        print(f'[bench] {name}: {" ".join(cmd)}', flush=True)
        start = time.time()
        subprocess.run(cmd, cwd=ROOT, check=True)
        with open(osp.join(ROOT, work_dir, 'wall_time.txt'), 'w') as f:
            f.write(f'{time.time() - start:.0f}\n')
    scalars = sorted(glob.glob(osp.join(ROOT, work_dir, '*', 'vis_data', 'scalars.json')))[-1]
    metrics = [json.loads(line) for line in open(scalars) if 'coco/bbox_mAP' in line][-1]
    wall = open(osp.join(ROOT, work_dir, 'wall_time.txt')).read().strip()
    return metrics, int(wall)


def main(argv=None):
    args = parse_args(argv)
    rows = {name: finetune(args, name, checkpoint_of(args, name)) for name in args.inits}
    if set(rows) != set(INITS):
        return rows  # the table is written once all three runs exist
    lines = [
        f'Command: `python tools/benchmarks/pennfudan_transfer.py --epochs {args.epochs}'
        f'{" --pretrain " + args.pretrain if args.pretrain != "cifar10" else ""}`',
        '',
        f'Machine: {machine()}, torch {torch.__version__}, fp32. Config `{CONFIG}` (Mask R-CNN, ViTDet-style ViT-mini patch 4 with window '
        'attention, SimpleFPN, 128-wide heads, 192 px, AdamW + layer decay 0.75), '
        f'{args.epochs} epochs on the 120 training images, seed {args.seed}; COCO metrics on the 50 val images. '
        f'Pre-trained backbones: {PRETRAIN[args.pretrain].format(epochs=args.pretrain_epochs)}.',
        '',
        '| init | bbox mAP | bbox mAP@50 | segm mAP | segm mAP@50 | fine-tune wall time |',
        '|---|---|---|---|---|---|',
    ]
    for name, (m, wall) in rows.items():
        lines.append(f'| {name} | {100 * m["coco/bbox_mAP"]:.1f} | {100 * m["coco/bbox_mAP_50"]:.1f} | '
                     f'{100 * m["coco/segm_mAP"]:.1f} | {100 * m["coco/segm_mAP_50"]:.1f} | {wall / 60:.0f} min |')
    cledi, mocov3, rand = (rows[k][0] for k in ('CL-EDI', 'MoCo v3', 'random init'))
    beats = all(cledi[f'coco/{t}_mAP'] > rand[f'coco/{t}_mAP'] for t in ('bbox', 'segm'))
    lines += ['', f'CL-EDI init > random init in both bbox and segm mAP: **{"yes" if beats else "no"}**. '
              f'CL-EDI - MoCo v3: bbox {100 * (cledi["coco/bbox_mAP"] - mocov3["coco/bbox_mAP"]):+.1f}, '
              f'segm {100 * (cledi["coco/segm_mAP"] - mocov3["coco/segm_mAP"]):+.1f} mAP points (one seed).']
    key, title = 'pennfudan', 'Detection transfer, Mask R-CNN on Penn-Fudan (CPU)'
    if args.pretrain != 'cifar10':
        key, title = f'pennfudan-pt-{args.pretrain}', f'{title}, pre-trained on {args.pretrain}'
    write_section(osp.join(ROOT, args.out), key, title, '\n'.join(lines))
    print('\n'.join(lines), flush=True)


if __name__ == '__main__':
    main()
