"""Short pre-trainings through tools/train.py and the real Runner in each detail-module design of cledi.CLEDI."""
import os.path as osp
import sys

import pytest

from ..conftest import TINY_CLEDI_MODEL
from .test_train import TRAIN, run, scalars, write_tiny_config


@pytest.mark.parametrize('design', [
    dict(detail_mode='region', loss_weight_cross=0.5, detail_warmup=0.5),
    dict(loss_weight_cross=1.0, cross_terms='cls'),
], ids=['region-cross-warmup', 'cross-cls'])
def test_pretraining_runs_in_each_design(design, tmp_path, cifar10_root, cifar10_subset):
    config = write_tiny_config(tmp_path / 'tiny.py', cifar10_root, cifar10_subset, max_epochs=1,
                               model=dict(TINY_CLEDI_MODEL, **design))
    work_dir = str(tmp_path / 'work')
    result = run([sys.executable, TRAIN, config, '--work-dir', work_dir])
    assert result.returncode == 0, result.stderr[-3000:]
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    records = [r for r in scalars(work_dir) if 'loss' in r]
    assert len(records) == 4  # 8 iterations logged every 2
    for record in records:
        assert record['loss'] == pytest.approx(
            record['loss_global'] + record['loss_detail'] + record['loss_cross'], rel=1e-3)
        assert record['loss_cross'] > 0
    if design.get('detail_mode') == 'region':
        assert all(0 < r['region_matched'] <= 1 for r in records)
        # the warm-up: the cross term's weight grows with progress (first record at 1/4 of training)
        ratios = [r['loss_cross'] / r['loss_global'] for r in records]
        assert ratios[0] < ratios[-1]
