"""End to end through tools/train.py and the real MMEngine Runner on a few hundred real CIFAR-10 images."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

import cledi  # noqa: F401  (allow-lists the objects of MMEngine checkpoints for weights_only loading)

from ..conftest import REPO_ROOT, TINY_CLEDI_MODEL
from ..helpers import CIFAR_CLEDI_CONFIG, CIFAR_MOCOV3_CONFIG

TRAIN = osp.join(REPO_ROOT, 'tools', 'train.py')


def write_tiny_config(path, data_root, ann_file, max_epochs=2, base=CIFAR_CLEDI_CONFIG, model=TINY_CLEDI_MODEL):
    """A unit-sized version of a CIFAR pre-training config (fast path: cached images, views in the preprocessor)."""
    path.write_text(f"""_base_ = [{base!r}]
model = dict({', '.join(f'{k}={v!r}' for k, v in model.items())})
train_dataloader = dict(batch_size=32, num_workers=0, persistent_workers=False,
                        dataset=dict(dataset=dict(data_root={data_root!r}, ann_file={ann_file!r})))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=4),
    dict(type='CosineAnnealingLR', T_max={max_epochs}, by_epoch=True, begin=0, end={max_epochs},
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs={max_epochs})
default_hooks = dict(logger=dict(interval=2), checkpoint=dict(interval=1), knn=dict(interval=1, ks=(5, 20)))
knn_bank_dataloader = dict(batch_size=64, num_workers=0,
                           dataset=dict(dataset=dict(data_root={data_root!r}, ann_file={ann_file!r})))
knn_query_dataloader = dict(batch_size=64, num_workers=0,
                            dataset=dict(dataset=dict(data_root={data_root!r}, indices=200)))
knn_test_dataloader = dict(batch_size=64, num_workers=0,
                           dataset=dict(dataset=dict(data_root={data_root!r}, indices=200)))
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(vis_backends=vis_backends)
""")
    return str(path)


def run(cmd, extra_env=None):
    env = dict(os.environ, PYTHONPATH=REPO_ROOT, OMP_NUM_THREADS='1', **(extra_env or {}))
    return subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)


def scalars(work_dir):
    [path] = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    with open(path) as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope='module')
def trained(tmp_path_factory, cifar10_root, cifar10_subset):
    """Two epochs of 8 iterations (256 images, batch 32), then a resume to epoch 3."""
    tmp = tmp_path_factory.mktemp('train')
    config = write_tiny_config(tmp / 'tiny.py', cifar10_root, cifar10_subset)
    work_dir = str(tmp / 'work')
    result = run([sys.executable, TRAIN, config, '--work-dir', work_dir])
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(config=config, work_dir=work_dir, tmp=tmp, first=result)


def test_two_epochs_write_checkpoints_and_log(trained):
    work_dir = trained['work_dir']
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))
    records = [r for r in scalars(work_dir) if 'loss' in r]
    assert records[-1]['step'] == 16  # 2 epochs x 8 iterations
    for record in records:
        assert record['loss'] == pytest.approx(record['loss_global'] + record['loss_detail'], rel=1e-3)
        assert 0 < record['loss_global'] < 10 and 0 < record['loss_detail'] < 10
    # momentum follows the cosine schedule from 0.99 towards 1
    momenta = [r['momentum'] for r in records]
    assert 0.99 <= momenta[0] < momenta[-1] <= 1.0
    log = open(glob.glob(osp.join(work_dir, '*', '*.log'))[0]).read()
    assert 'eta:' in log


def test_knn_monitor_logs_every_epoch_and_keeps_the_best(trained):
    work_dir = trained['work_dir']
    knn = [r for r in scalars(work_dir) if 'knn/top1_k5' in r]
    assert [r['epoch'] for r in knn] == [1, 2]
    for record in knn:
        assert record['knn/best_top1_k5'] == max(r['knn/top1_k5'] for r in knn if r['epoch'] <= record['epoch'])
    # the monitor's numbers are the offline evaluation of the checkpoint written at that epoch
    out = osp.join(trained['tmp'], 'knn_epoch2.json')
    offline = run([sys.executable, osp.join(REPO_ROOT, 'tools', 'knn_eval.py'), trained['config'],
                   osp.join(work_dir, 'epoch_2.pth'), '--ks', '5', '20', '--out', out])
    assert offline.returncode == 0, offline.stderr[-3000:]
    numbers = json.load(open(out))
    assert numbers['top1_k20'] == pytest.approx(knn[-1]['knn/top1_k20'], abs=1e-6)
    assert numbers['top1_k5'] == pytest.approx(knn[-1]['knn/top1_k5'], abs=1e-6)
    log = open(glob.glob(osp.join(work_dir, '*', '*.log'))[0]).read()
    assert 'Epoch(knn) [2]' in log and 'knn/top1_k20' in log
    best = torch.load(osp.join(work_dir, 'best_knn_top1_k5.pth'), map_location='cpu', weights_only=True)
    assert best['meta']['knn_score'] == knn[-1]['knn/best_top1_k5']
    # the checkpoint is a plain CL-EDI state dict with the momentum encoder in it
    checkpoint = torch.load(osp.join(work_dir, 'epoch_2.pth'), map_location='cpu', weights_only=True)
    assert any(k.startswith('momentum_encoder.backbone.') for k in checkpoint['state_dict'])


def test_mocov3_trains_on_the_same_fast_path(tmp_path, cifar10_root, cifar10_subset):
    tiny = dict(backbone=TINY_CLEDI_MODEL['backbone'], neck=TINY_CLEDI_MODEL['neck'], head=TINY_CLEDI_MODEL['head'])
    config = write_tiny_config(tmp_path / 'tiny_mocov3.py', cifar10_root, cifar10_subset, max_epochs=1,
                               base=CIFAR_MOCOV3_CONFIG, model=tiny)
    work_dir = str(tmp_path / 'work')
    result = run([sys.executable, TRAIN, config, '--work-dir', work_dir])
    assert result.returncode == 0, result.stderr[-3000:]
    records = [r for r in scalars(work_dir) if 'loss' in r]
    assert records[-1]['step'] == 8 and all(0 < r['loss'] < 10 for r in records)
    assert [r['epoch'] for r in scalars(work_dir) if 'knn/top1_k5' in r] == [1]
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))


def test_bf16_autocast_on_the_cpu(tmp_path, cifar10_root, cifar10_subset):
    """``amp='on'`` on a CPU (tools/train.py's ``--amp on``, applied by setup_device): cledi.AutocastOptimWrapper,
    and the training forward passes run
    in bfloat16: the first block's q/k/v projection, recorded in every training iteration of the real Runner,
    gives bf16 (a LayerNorm's output stays float32 under CPU autocast, so a matrix product is what is recorded)."""
    from mmengine.config import Config
    from mmengine.hooks import Hook
    from mmengine.runner import Runner

    from cledi.engine import prepare_runner_config, setup_device
    config = write_tiny_config(tmp_path / 'tiny.py', cifar10_root, cifar10_subset, max_epochs=1)
    cfg = Config.fromfile(config)
    cfg.default_hooks.knn.interval = 5
    cfg.work_dir = str(tmp_path / 'in_process')
    setup_device(cfg, amp='on')
    runner = Runner.from_cfg(prepare_runner_config(cfg))
    dtypes = []

    class BackboneDtype(Hook):
        def before_train(self, runner):
            qkv = runner.model.backbone.layers[0].attn.qkv
            qkv.register_forward_hook(lambda module, args, out: dtypes.append(out.dtype) if module.training else None)

    runner.register_hook(BackboneDtype())
    runner.train()
    assert type(runner.optim_wrapper).__name__ == 'AutocastOptimWrapper'
    assert len(dtypes) == 8 * 2 and set(dtypes) == {torch.bfloat16}  # 8 iterations, 2 views (the kNN pass: eval)


def test_resume_continues_from_the_last_checkpoint(trained):
    config = trained['config']
    longer = write_tiny_config(trained['tmp'] / 'tiny_3e.py', *_data_of(config), max_epochs=3)
    result = run([sys.executable, TRAIN, longer, '--work-dir', trained['work_dir'], '--resume'])
    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    assert 'resumed epoch: 2, iter: 16' in output
    assert osp.isfile(osp.join(trained['work_dir'], 'epoch_3.pth'))
    assert 'Epoch(train) [1]' not in output.split('resumed epoch')[1]


def _data_of(config_path):
    from mmengine.config import Config
    cfg = Config.fromfile(config_path)
    return cfg.train_dataloader.dataset.dataset.data_root, cfg.train_dataloader.dataset.dataset.ann_file


def test_dist_train_two_processes_gloo(tmp_path, cifar10_root, cifar10_subset):
    config = write_tiny_config(tmp_path / 'tiny.py', cifar10_root, cifar10_subset, max_epochs=1)
    work_dir = str(tmp_path / 'work')
    port = str(29500 + os.getpid() % 1000)
    result = run(['bash', osp.join(REPO_ROOT, 'tools', 'dist_train.sh'), config, '2', '--work-dir', work_dir],
                 extra_env=dict(PYTHON=sys.executable, PORT=port))
    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    assert 'world_size: 2' in output or 'Distributed launcher: pytorch' in output
    # 256 images / (2 processes x 32) = 4 iterations per epoch
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    assert scalars(work_dir)[-1]['step'] == 4


def test_missing_data_root_names_the_path(tmp_path, cifar10_subset):
    missing = str(tmp_path / 'no_such_dataset')
    config = write_tiny_config(tmp_path / 'tiny.py', missing, cifar10_subset)
    work_dir = tmp_path / 'work'
    result = run([sys.executable, TRAIN, config, '--work-dir', str(work_dir)])
    assert result.returncode != 0
    assert f"data_root '{missing}' does not exist" in result.stderr
    assert 'train_dataloader.dataset.dataset.data_root=' in result.stderr
    assert not work_dir.exists()  # failed before the Runner wrote anything
