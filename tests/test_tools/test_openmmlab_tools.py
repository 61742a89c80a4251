"""The OpenMMLab clients: MMPretrain's own tools/train.py (shipped in its wheel) runs a cledi pre-training config, and
MMDetection's own tools/train.py a cledi detection config, end to end; what matters is carried by the configs
(atomic checkpoints, the NaN guard, the kNN monitor), not by cledi's tools/train.py."""
import glob
import importlib.util
import json
import os.path as osp
import sys

import pytest

from ..conftest import REPO_ROOT, TINY_ARCH
from .test_train import run, scalars, write_tiny_config


def openmmlab_tool(package: str) -> str:
    spec = importlib.util.find_spec(package)
    if spec is None:
        pytest.skip(f'{package} is not installed (bash tools/install.sh --detection)')
    return osp.join(spec.submodule_search_locations[0], '.mim', 'tools', 'train.py')


def hooks_of(work_dir: str) -> str:
    [log] = glob.glob(osp.join(work_dir, '*', '*.log'))
    return open(log).read()


def test_mmpretrains_own_train_py_runs_a_pretraining_config(tmp_path, cifar10_root, cifar10_subset):
    config = write_tiny_config(tmp_path / 'tiny.py', cifar10_root, cifar10_subset, max_epochs=1)
    work_dir = str(tmp_path / 'work')
    result = run([sys.executable, openmmlab_tool('mmpretrain'), config, '--work-dir', work_dir])
    assert result.returncode == 0, result.stderr[-3000:]
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    records = scalars(work_dir)
    assert [r['step'] for r in records if 'loss' in r][-1] == 8 and [r['epoch'] for r in records
                                                                   if 'knn/top1_k5' in r] == [1]
    log = hooks_of(work_dir)
    assert 'NonFiniteLossHook' in log and 'CosineMomentumHook' in log and 'KNNEvalHook' in log
    dumped = open(osp.join(work_dir, 'tiny.py')).read()
    assert "backend='cledi_atomic'" in dumped  # the CheckpointHook writes atomically


def test_mmdetections_own_train_py_runs_the_pennfudan_config(tmp_path, pennfudan_root):
    from ..test_det.conftest import require_detection_stack
    require_detection_stack()
    config = tmp_path / 'tiny_pennfudan.py'
    base = osp.join(REPO_ROOT, 'configs', 'benchmarks', 'detection', 'mask-rcnn_vit-mini-p4-simplefpn_1xb4-20e_pennfudan.py')
    config.write_text(f"""_base_ = [{base!r}]
data_root = {pennfudan_root + '/'!r}
model = dict(backbone=dict(arch={dict(TINY_ARCH, _delete_=True)!r}, img_size=128, patch_size=8, global_blocks=(1, )),
             neck=dict(in_channels=32, in_stride=8))
train_dataloader = dict(num_workers=0, persistent_workers=False, dataset=dict(data_root=data_root, indices=8))
val_dataloader = dict(num_workers=0, persistent_workers=False, dataset=dict(data_root=data_root, indices=6))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/val.json')
test_evaluator = val_evaluator
max_epochs = 1
train_cfg = dict(max_epochs=1, val_interval=1)
param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=2)]
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))
""")
    work_dir = str(tmp_path / 'work')
    result = run([sys.executable, openmmlab_tool('mmdet'), str(config), '--work-dir', work_dir])
    assert result.returncode == 0, result.stderr[-3000:]
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    records = scalars(work_dir)
    assert len([r for r in records if 'loss' in r]) == 2 and 'coco/bbox_mAP' in records[-1]
    assert 'NonFiniteLossHook' in hooks_of(work_dir)
    assert "backend='cledi_atomic'" in open(osp.join(work_dir, 'tiny_pennfudan.py')).read()
