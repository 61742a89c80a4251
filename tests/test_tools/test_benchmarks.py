"""tools/benchmarks: the scripts import and parse their options; the held-out split is disjoint from training."""
import os.path as osp
import subprocess
import sys

import pytest

from ..conftest import REPO_ROOT

SCRIPTS = ['lowdata_knn.py', 'step_cost.py', 'pennfudan_transfer.py', 'engine_speed.py']


@pytest.mark.parametrize('script', SCRIPTS)
def test_benchmark_script_starts(script):
    result = subprocess.run([sys.executable, osp.join(REPO_ROOT, 'tools', 'benchmarks', script), '--help'],
                            capture_output=True, text=True, cwd=REPO_ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'usage' in result.stdout


def test_holdout_split_is_disjoint_from_the_low_data_split(tmp_path, cifar10_root):
    sys.path.insert(0, REPO_ROOT)
    from tools.benchmarks.lowdata_knn import parse_args, run_dir, write_holdout_list
    path = write_holdout_list(cifar10_root, str(tmp_path / 'val.txt'))
    holdout = [line.split()[0] for line in open(path)]
    train = {line.split()[0] for line in open(osp.join(cifar10_root, 'meta', 'train_10pct.txt'))}
    assert len(holdout) == len(set(holdout)) == 5000
    assert not set(holdout) & train
    assert all(osp.isfile(osp.join(cifar10_root, 'train', name)) for name in holdout[::250])
    assert {line.split()[1] for line in open(path)} == {str(c) for c in range(10)}
    args = parse_args(['--val', '--epochs', '3', '--cledi-config', 'configs/ablations/x_10pct_agg-attn.py'])
    assert run_dir(args, 'cledi', 1).endswith('cledi-agg-attn_e3_seed1_val')
    assert run_dir(args, 'mocov3', 1).endswith('mocov3_e3_seed1_val')
    with pytest.raises(FileNotFoundError, match='--data-root'):
        write_holdout_list(osp.join(REPO_ROOT, 'tests', 'data_that_does_not_exist'), str(tmp_path / 'v.txt'))
