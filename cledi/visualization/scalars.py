"""Curves from MMEngine work dirs: the ``vis_data/scalars.json`` of every run (a resumed run adds a folder)."""
import glob
import json
import os.path as osp
from typing import Dict, List, Sequence, Tuple

from cledi.utils.errors import MissingInputError


def read_scalars(work_dir: str) -> List[dict]:
    """All scalar records of a work dir, oldest run first (so a resumed run's records come last)."""
    paths = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not paths:
        raise MissingInputError(f"work dir '{work_dir}' has no */vis_data/scalars.json; pass the work_dir of a "
                                'tools/train.py run (LocalVisBackend writes the file)')
    records = []
    for path in paths:
        with open(path) as f:
            records.extend(json.loads(line) for line in f if line.strip())
    return records


def scalar_curves(records: Sequence[dict], keys: Sequence[str]) -> Dict[str, Tuple[List[float], List[float]]]:
    """``{key: (epochs, values)}`` for the keys present, the x axis in (fractional) epochs.

    Training records (they carry ``iter``) are placed at ``iter / iterations per epoch``; epoch-level records
    (the kNN monitor's) at their epoch. Where a resumed run repeats a point, its later record wins.
    """
    train = [r for r in records if 'iter' in r and 'epoch' in r]
    iters_per_epoch = max(r['iter'] for r in train) / max(r['epoch'] for r in train) if train else 1.0
    curves = {}
    for key in keys:
        points = {}
        for record in records:
            if key in record:
                x = record['iter'] / iters_per_epoch if 'iter' in record else record.get('epoch', record.get('step'))
                points[x] = record[key]
        if points:
            xs = sorted(points)
            curves[key] = (xs, [points[x] for x in xs])
    return curves
