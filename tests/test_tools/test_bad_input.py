"""Bad input to the tools ends with one line naming the input and the fix, exit code 2, no traceback
(``--debug`` shows it). One test per row of the README's "bad input -> what you see" table."""
import os.path as osp
import sys

import pytest
import torch

from ..conftest import REPO_ROOT
from .test_train import run, write_tiny_config

LINEAR = osp.join(REPO_ROOT, 'configs', 'benchmarks', 'linear', 'vit-mini-p4_linear-sgd-coslr-90e_cifar10-10pct.py')


def one_line_error(tool, argv):
    """Run a tool's command line; return the one error line it ends with (exit code 2, no traceback), which is all
    it writes: no log line of a run that had not started comes before it, on stdout or stderr."""
    result = run([sys.executable, osp.join(REPO_ROOT, 'tools', f'{tool}.py'), *argv])
    assert result.returncode == 2, result.stderr[-3000:]
    assert 'Traceback' not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert result.stdout == '' and len(lines) == 1, (result.stdout[-2000:], result.stderr[-2000:])
    assert lines[0].startswith('error: ') and lines[0].endswith('(run with --debug for the traceback)')
    return lines[0]


@pytest.fixture(scope='module')
def tiny(tmp_path_factory, cifar10_root, cifar10_subset):
    tmp = tmp_path_factory.mktemp('bad_input')
    return write_tiny_config(tmp / 'tiny.py', cifar10_root, cifar10_subset, max_epochs=1), tmp


def test_a_missing_config(tmp_path):
    line = one_line_error('train', [str(tmp_path / 'nope.py')])
    assert f"config '{tmp_path / 'nope.py'}' does not exist: pass the path of a config file" in line
    debug = run([sys.executable, osp.join(REPO_ROOT, 'tools', 'train.py'), str(tmp_path / 'nope.py'), '--debug'])
    assert debug.returncode != 0 and 'Traceback' in debug.stderr and 'MissingInputError' in debug.stderr


def test_a_missing_resume_checkpoint_offers_the_intact_one(tiny):
    config, tmp = tiny
    work_dir = tmp / 'resume_work'
    work_dir.mkdir()
    torch.save(dict(meta=dict(epoch=1)), work_dir / 'epoch_1.pth')
    line = one_line_error('train', [config, '--work-dir', str(work_dir), '--resume',
                                               str(work_dir / 'epoch_2.pth')])
    assert "cannot resume from" in line and 'epoch_2.pth' in line and 'it does not exist' in line
    assert f'--resume {work_dir / "epoch_1.pth"}' in line


def test_a_missing_data_root(tiny, tmp_path):
    config, _ = tiny
    line = one_line_error('train', [config, '--work-dir', str(tmp_path / 'w'), '--data-root',
                                               str(tmp_path / 'no_data')])
    assert f"data_root '{tmp_path / 'no_data'}' does not exist" in line and '--data-root' in line
    assert not (tmp_path / 'w').exists()  # nothing was written


@pytest.mark.parametrize('damage', ['missing', 'truncated', 'foreign'])
def test_a_bad_backbone_checkpoint_in_init_cfg(damage, tmp_path, cifar10_root, pretraining_checkpoint):
    checkpoint, _, model = pretraining_checkpoint
    path = tmp_path / f'{damage}.pth'
    if damage == 'truncated':
        path.write_bytes(open(checkpoint, 'rb').read()[:5000])
    elif damage == 'foreign':
        torch.save(dict(state_dict={'backbone.something_else': torch.zeros(3)}), path)
    line = one_line_error('train', [
        LINEAR, '--work-dir', str(tmp_path / 'w'), '--data-root', cifar10_root, '--cfg-options',
        f'model.backbone.init_cfg.checkpoint={path}'])
    assert str(path) in line
    expected = {'missing': 'it does not exist', 'truncated': 'truncated or not a torch checkpoint',
                'foreign': 'do not match the model (a checkpoint of another model?)'}[damage]
    assert expected in line


def test_a_truncated_checkpoint_for_the_evaluation_tools(tmp_path, cifar10_root, pennfudan_root,
                                                        pretraining_checkpoint):
    checkpoint, config, _ = pretraining_checkpoint
    truncated = tmp_path / 'truncated.pth'
    truncated.write_bytes(open(checkpoint, 'rb').read()[:5000])
    for tool, extra in (('knn_eval', ['--data-root', cifar10_root]), ('dense_probe', ['--data-root', pennfudan_root])):
        line = one_line_error(tool, [config, str(truncated), *extra])
        assert f"checkpoint '{truncated}' cannot be loaded: it is truncated" in line


def test_an_unknown_config_key_and_a_bad_option_value(tiny, tmp_path):
    config, _ = tiny
    line = one_line_error('train', [config, '--work-dir', str(tmp_path / 'w1'), '--cfg-options',
                                               'model.detail.colour=blue'])
    assert f"'{config}' could not be set up for training" in line and "'colour'" in line
    line = one_line_error('train', [config, '--work-dir', str(tmp_path / 'w2'), '--cfg-options',
                                               'optim_wrapper.optimizer.lr=fast'])
    assert f"'{config}' could not be set up for training" in line and '--cfg-options' in line


def test_an_iteration_based_config_given_to_the_epoch_rescaler(tiny, tmp_path):
    config, _ = tiny
    by_iterations = tmp_path / 'iters.py'
    by_iterations.write_text(f"_base_ = [{config!r}]\ntrain_cfg = dict(_delete_=True, type='IterBasedTrainLoop', "
                             'max_iters=100)\n')
    line = one_line_error('train', [str(by_iterations), '--epochs', '3'])
    assert '--epochs rescales an epoch-based schedule, but this config trains by iterations' in line
    assert '--cfg-options train_cfg.max_iters=N' in line


@pytest.mark.parametrize('tool', ['test', 'knn_eval', 'dense_probe'])
def test_a_missing_config_for_the_evaluation_tools(tool, tmp_path):
    line = one_line_error(tool, [str(tmp_path / 'nope.py'), str(tmp_path / 'nope.pth')])
    assert f"config '{tmp_path / 'nope.py'}' does not exist: pass the path of a config file" in line


def test_the_visualization_tools_name_a_missing_image_and_a_missing_work_dir(tmp_path, cifar10_root):
    from ..helpers import CIFAR_MOCOV3_CONFIG
    image = tmp_path / 'no_such.jpg'
    line = one_line_error('visualization/vis_attention', [CIFAR_MOCOV3_CONFIG, 'random', '--images', str(image),
                                                          '--data-root', cifar10_root, '--out', str(tmp_path / 'a.png')])
    assert f"image '{image}' does not exist; pass an existing JPEG / PNG file" in line
    line = one_line_error('visualization/vis_curves', [str(tmp_path / 'no_run'), '--out', str(tmp_path / 'c.png')])
    assert f"work dir '{tmp_path / 'no_run'}' has no */vis_data/scalars.json" in line
    assert not (tmp_path / 'a.png').exists() and not (tmp_path / 'c.png').exists()
