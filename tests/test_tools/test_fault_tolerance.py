"""Faults during pre-training through tools/train.py and the real Runner: NaN losses, damaged checkpoints."""
import hashlib
import os
import os.path as osp
import shutil
import signal
import subprocess
import sys
import time

import pytest
import torch

from cledi.engine import checkpoint_problem
from cledi.visualization import read_scalars

from ..conftest import REPO_ROOT
from .test_train import TRAIN, run, write_tiny_config


def digest(path):
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


@pytest.fixture(scope='module')
def two_epochs(tmp_path_factory, cifar10_root, cifar10_subset):
    """A finished 2-epoch tiny run (8 iterations per epoch) with epoch_1.pth and epoch_2.pth."""
    tmp = tmp_path_factory.mktemp('faults')
    config = write_tiny_config(tmp / 'tiny.py', cifar10_root, cifar10_subset)
    work_dir = str(tmp / 'work')
    result = run([sys.executable, TRAIN, config, '--work-dir', work_dir])
    assert result.returncode == 0, result.stderr[-3000:]
    return config, work_dir


def copy_run(two_epochs, tmp_path):
    config, work_dir = two_epochs
    copy = str(tmp_path / 'work')
    shutil.copytree(work_dir, copy)
    with open(osp.join(copy, 'last_checkpoint'), 'w') as f:  # point into the copy
        f.write(osp.join(copy, 'epoch_2.pth'))
    return config, copy


def test_a_nan_loss_stops_the_run_and_leaves_the_checkpoints_intact(two_epochs, tmp_path):
    config, work_dir = copy_run(two_epochs, tmp_path)
    first, second = osp.join(work_dir, 'epoch_1.pth'), osp.join(work_dir, 'epoch_2.pth')
    before = digest(first), digest(second)
    # resume epoch 2 with a detail weight that overflows float32: loss_detail is inf from iteration 9 on
    result = run([sys.executable, TRAIN, config, '--work-dir', work_dir, '--resume', first,
                  '--cfg-options', 'model.detail.loss_weight=1e39'])
    assert result.returncode != 0
    assert 'non-finite loss at iteration 9 (epoch 2)' in result.stderr
    assert 'loss_detail=inf' in result.stderr and "the last checkpoint written is '" in result.stderr
    assert 'Traceback' not in result.stderr
    assert (digest(first), digest(second)) == before
    state = torch.load(first, map_location='cpu', weights_only=True)
    assert all(torch.isfinite(v).all() for v in state['state_dict'].values() if v.is_floating_point())


def test_bad_steps_are_skipped_up_to_max_skips(two_epochs, tmp_path):
    config, work_dir = copy_run(two_epochs, tmp_path)
    result = run([sys.executable, TRAIN, config, '--work-dir', work_dir, '--resume',
                  osp.join(work_dir, 'epoch_1.pth'), '--cfg-options', 'model.detail.loss_weight=1e39',
                  'default_hooks.non_finite.max_skips=2'])
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert 'update skipped (1 of max_skips=2)' in log and 'update skipped (2 of max_skips=2)' in log
    assert 'non-finite loss at iteration 11 (epoch 2)' in result.stderr


def test_resume_skips_a_truncated_last_checkpoint_and_refuses_it_by_name(two_epochs, tmp_path):
    config, work_dir = copy_run(two_epochs, tmp_path)
    second = osp.join(work_dir, 'epoch_2.pth')
    data = open(second, 'rb').read()
    with open(second, 'wb') as f:  # what a kill in the middle of the write would have left without the rename
        f.write(data[:len(data) // 3])
    explicit = run([sys.executable, TRAIN, config, '--work-dir', work_dir, '--resume', second])
    assert explicit.returncode != 0
    assert f"cannot resume from '{second}': it is truncated" in explicit.stderr
    assert 'epoch_1.pth' in explicit.stderr and 'Traceback' not in explicit.stderr
    auto = run([sys.executable, TRAIN, config, '--work-dir', work_dir, '--resume'])
    assert auto.returncode == 0, auto.stderr[-3000:]
    log = auto.stdout + auto.stderr
    assert f"skipping checkpoint '{second}'" in log
    assert f"resuming from '{osp.join(work_dir, 'epoch_1.pth')}'" in log
    assert checkpoint_problem(second) is None  # epoch 2 was trained again and written whole


DETERMINISTIC = ['--cfg-options', 'randomness.deterministic=True', 'default_hooks.logger.interval=1']


def losses_by_iteration(work_dir):
    """{iteration: loss} over every run dir of a work dir (a resumed run adds one; its records win)."""
    return {record['iter']: record['loss'] for record in read_scalars(work_dir) if 'loss' in record}


def test_a_run_killed_mid_epoch_and_resumed_equals_the_uninterrupted_run(tmp_path, cifar10_root, cifar10_subset):
    config = write_tiny_config(tmp_path / 'tiny.py', cifar10_root, cifar10_subset)
    whole = str(tmp_path / 'whole')
    result = run([sys.executable, TRAIN, config, '--work-dir', whole, *DETERMINISTIC])
    assert result.returncode == 0, result.stderr[-3000:]

    killed = str(tmp_path / 'killed')
    env = dict(os.environ, PYTHONPATH=REPO_ROOT, OMP_NUM_THREADS='1', PYTHONUNBUFFERED='1')
    with open(tmp_path / 'killed.log', 'w') as log:
        proc = subprocess.Popen([sys.executable, TRAIN, config, '--work-dir', killed, *DETERMINISTIC], cwd=REPO_ROOT,
                                env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 300
        while '[2][3/8]' not in (tmp_path / 'killed.log').read_text():  # mid epoch 2
            assert proc.poll() is None and time.time() < deadline, (tmp_path / 'killed.log').read_text()[-3000:]
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert not osp.exists(osp.join(killed, 'epoch_2.pth'))
    resumed = run([sys.executable, TRAIN, config, '--work-dir', killed, '--resume', *DETERMINISTIC])
    assert resumed.returncode == 0, resumed.stderr[-3000:]

    expected, got = losses_by_iteration(whole), losses_by_iteration(killed)
    assert sorted(expected) == list(range(1, 17)) and sorted(got) == sorted(expected)
    for iteration in range(9, 17):  # everything after the resumed checkpoint (epoch_1.pth)
        assert got[iteration] == pytest.approx(expected[iteration], rel=1e-6, abs=1e-7), iteration
    final = [torch.load(osp.join(d, 'epoch_2.pth'), map_location='cpu', weights_only=True)['state_dict']
             for d in (whole, killed)]
    for key, value in final[0].items():
        torch.testing.assert_close(final[1][key], value, rtol=1e-6, atol=1e-7, msg=key)
