"""Sharded training: cledi.FSDPStrategy through tools/dist_train.sh and MMEngine's FlexibleRunner, 2 CPU processes."""
import importlib.util
import os
import os.path as osp
import socket
import sys

import pytest
import torch

from ..conftest import REPO_ROOT, TINY_CLEDI_MODEL
from ..helpers import build_model, tiny_cledi_config
from .test_fault_tolerance import losses_by_iteration
from .test_train import run, write_tiny_config

DIST_TRAIN = osp.join(REPO_ROOT, 'tools', 'dist_train.sh')


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return str(sock.getsockname()[1])


def _config(tmp_path, name, cifar10_root, cifar10_subset, max_epochs, fsdp, sgd=False):
    base = write_tiny_config(tmp_path / f'{name}_base.py', cifar10_root, cifar10_subset, max_epochs=max_epochs,
                             model=dict(TINY_CLEDI_MODEL, teacher=dict(update='after_step')))
    lines = [f'_base_ = [{base!r}]']
    if fsdp:  # each ViT block its own FSDP unit, recomputed in backward: the mechanisms of the ViT-L/H configs
        lines.append("strategy = dict(type='cledi.FSDPStrategy', model_wrapper=dict(auto_wrap_policy="
                     "'cledi.vit_block_wrap_policy'), activation_checkpointing=dict(check_fn='cledi.is_vit_block'))")
    if sgd:  # stateless optimizer: FSDP resume does not restore optimizer moments (see cledi.FSDPStrategy)
        lines.append("optim_wrapper = dict(optimizer=dict(_delete_=True, type='SGD', lr=0.05))")
    path = tmp_path / f'{name}.py'
    path.write_text('\n'.join(lines) + '\n')
    return str(path)


def _dist_train(config, work_dir, *extra):
    # float32 everywhere: the comparisons are exact to 1e-6, and 'auto' would pick bf16 on a CPU with native bf16
    result = run(['bash', DIST_TRAIN, config, '2', '--work-dir', work_dir, '--amp', 'off',
                  '--cfg-options', 'randomness.deterministic=True', 'default_hooks.logger.interval=1', *extra],
                 extra_env=dict(PYTHON=sys.executable, PORT=_free_port()))
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout + result.stderr


def _weights(work_dir, epoch):
    return torch.load(osp.join(work_dir, f'epoch_{epoch}.pth'), map_location='cpu', weights_only=True)['state_dict']


def test_fsdp_on_two_processes_is_the_same_run_as_ddp(tmp_path, cifar10_root, cifar10_subset):
    runs = {}
    for name, fsdp in (('ddp', False), ('fsdp', True)):
        config = _config(tmp_path, name, cifar10_root, cifar10_subset, max_epochs=1, fsdp=fsdp)
        output = _dist_train(config, str(tmp_path / name))
        runs[name] = losses_by_iteration(str(tmp_path / name)), _weights(str(tmp_path / name), 1)
    # the root plus one unit per ViT block (2 in the tiny ViT); the momentum encoder's blocks stay unwrapped
    assert 'FSDP: the model is sharded in 3 units over 2 processes; kept whole on every process: ' \
        'momentum_encoder' in output
    (losses, weights), (fsdp_losses, fsdp_weights) = runs['ddp'], runs['fsdp']
    assert sorted(losses) == [1, 2, 3, 4] and fsdp_losses == pytest.approx(losses, rel=1e-6)
    # one full checkpoint, momentum encoder included, loadable by the single-process tools
    assert set(fsdp_weights) == set(weights) and any(k.startswith('momentum_encoder.') for k in weights)
    for key, value in weights.items():
        torch.testing.assert_close(fsdp_weights[key], value, rtol=1e-6, atol=1e-7, msg=key)


def test_fsdp_resume_continues_the_run(tmp_path, cifar10_root, cifar10_subset):
    config = _config(tmp_path, 'fsdp_sgd', cifar10_root, cifar10_subset, max_epochs=2, fsdp=True, sgd=True)
    whole, resumed = str(tmp_path / 'whole'), str(tmp_path / 'resumed')
    _dist_train(config, whole)
    os.makedirs(resumed)
    checkpoint = osp.join(resumed, 'epoch_1.pth')
    with open(osp.join(whole, 'epoch_1.pth'), 'rb') as src, open(checkpoint, 'wb') as dst:
        dst.write(src.read())
    output = _dist_train(config, resumed, '--resume', checkpoint)
    assert 'optimizer moments are not restored' in output
    expected, got = losses_by_iteration(whole), losses_by_iteration(resumed)
    assert sorted(got) == [5, 6, 7, 8]
    assert [got[i] for i in range(5, 9)] == pytest.approx([expected[i] for i in range(5, 9)], rel=1e-6)
    final, final_resumed = _weights(whole, 2), _weights(resumed, 2)
    for key, value in final.items():
        torch.testing.assert_close(final_resumed[key], value, rtol=1e-6, atol=1e-7, msg=key)


def test_fsdp_refuses_an_ema_inside_forward():
    from cledi.engine import FSDPStrategy
    model = build_model(tiny_cledi_config().model)
    with pytest.raises(ValueError, match="teacher=dict\\(update='after_step'\\)"):
        FSDPStrategy().build_model(model)
    model = build_model(tiny_cledi_config(teacher=dict(update='after_step')).model)
    strategy = FSDPStrategy()
    assert strategy.build_model(model) is model
    assert strategy.model_wrapper['ignored_modules'] == ['momentum_encoder']


@pytest.mark.skipif(importlib.util.find_spec('deepspeed') is not None, reason='deepspeed is installed here')
def test_a_deepspeed_config_without_deepspeed_says_what_to_install(tmp_path):
    config = osp.join(REPO_ROOT, 'configs', 'cledi', 'cledi_vit-l-p16_8xb64-deepspeed-zero2-coslr-300e_image-folder.py')
    result = run([sys.executable, osp.join(REPO_ROOT, 'tools', 'train.py'), config, '--work-dir', str(tmp_path / 'w')])
    assert result.returncode != 0
    assert 'pip install deepspeed' in result.stderr and 'Traceback' not in result.stderr
    assert not (tmp_path / 'w').exists()
