"""Training curves of one or more runs on one plot: kNN top-1 and the losses over epochs.

    python tools/visualization/vis_curves.py WORK_DIR [WORK_DIR ...] --out curves.png [--labels NAME ...]
        [--keys knn/top1_k20 loss_global loss_detail]

Reads every ``*/vis_data/scalars.json`` of each work dir (a resumed run adds one; its records win). One panel per
key, one line per run. A MoCo v3 run logs its only loss as ``loss``; it is drawn in the ``loss_global`` panel
(its label says so), so both methods' global losses share a panel.
"""
import argparse
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.logging import MMLogger

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from cledi.visualization import curves_figure, read_scalars, save_figure, scalar_curves  # noqa: E402

DEFAULT_KEYS = ('knn/top1_k20', 'loss_global', 'loss_detail')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='kNN and loss curves of training runs')
    parser.add_argument('work_dirs', nargs='+', help='work dirs of tools/train.py runs')
    parser.add_argument('--labels', nargs='+', help='a name per work dir (default: the folder name)')
    parser.add_argument('--keys', nargs='+', default=list(DEFAULT_KEYS), help='scalars to plot, one panel each')
    parser.add_argument('--out', required=True, help='the PNG file to write')
    parser.add_argument('--dpi', type=int, default=100)
    return parser.parse_args(argv)


def run_curves(work_dir: str, keys: Sequence[str]) -> Dict[str, Tuple[List[float], List[float]]]:
    records = read_scalars(work_dir)
    curves = scalar_curves(records, [*keys, 'loss'])
    if 'loss_global' in keys and 'loss_global' not in curves and 'loss_detail' not in curves and 'loss' in curves:
        curves['loss_global'] = curves['loss']  # a single-loss (MoCo v3) run: its loss is the global one
    return {key: curves[key] for key in keys if key in curves}


def plot_runs(work_dirs: Sequence[str], out: str, labels: Optional[Sequence[str]] = None,
              keys: Sequence[str] = DEFAULT_KEYS, dpi: int = 100) -> str:
    """Write the curves of ``work_dirs`` to ``out``; also what the benchmark scripts call."""
    if labels and len(labels) != len(work_dirs):
        raise SystemExit(f'--labels needs one name per work dir ({len(work_dirs)}), got {len(labels)}')
    labels = labels or [osp.basename(osp.normpath(w)) for w in work_dirs]
    series = {label: run_curves(work_dir, keys) for label, work_dir in zip(labels, work_dirs)}
    missing = [key for key in keys if not any(key in curves for curves in series.values())]
    if missing:
        logged = sorted({key for work_dir in work_dirs for record in read_scalars(work_dir) for key in record})
        raise SystemExit(f'no run logged {missing}; the runs logged {logged}')
    return save_figure(curves_figure(series, keys), out, dpi)


def main(argv=None):
    args = parse_args(argv)
    path = plot_runs(args.work_dirs, args.out, args.labels, args.keys, args.dpi)
    logger = MMLogger.get_instance('cledi_vis', log_level='INFO')
    logger.info(f'curves of {len(args.work_dirs)} run(s) written to {path}')
    return path


if __name__ == '__main__':
    main()
