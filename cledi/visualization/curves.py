"""kNN and loss curves of training runs, one panel per scalar, runs side by side (vis_curves.py, the benchmarks)."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

from cledi.utils.errors import InputError
from .figures import curves_figure, save_figure
from .scalars import read_scalars, scalar_curves

DEFAULT_KEYS = ('knn/top1_k20', 'loss_global', 'loss_detail')


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
        raise InputError(f'--labels needs one name per work dir ({len(work_dirs)}), got {len(labels)}')
    labels = labels or [osp.basename(osp.normpath(w)) for w in work_dirs]
    series = {label: run_curves(work_dir, keys) for label, work_dir in zip(labels, work_dirs)}
    missing = [key for key in keys if not any(key in curves for curves in series.values())]
    if missing:
        logged = sorted({key for work_dir in work_dirs for record in read_scalars(work_dir) for key in record})
        raise InputError(f'no run logged {missing}; the runs logged {logged}')
    return save_figure(curves_figure(series, keys), out, dpi)
