"""Linear probe through tools/train.py: a pre-training checkpoint loads strictly into the frozen backbone."""
import glob
import json
import os.path as osp
import sys

import torch

from ..conftest import REPO_ROOT, TINY_ARCH
from .test_train import run

LINEAR_CONFIG = osp.join(REPO_ROOT, 'configs', 'benchmarks', 'linear', 'vit-mini-p4_linear-sgd-coslr-90e_cifar10-10pct.py')


def write_linear_config(path, checkpoint, ann_file):
    path.write_text(f"""_base_ = [{LINEAR_CONFIG!r}]
model = dict(backbone=dict(arch={dict(TINY_ARCH, _delete_=True)!r}, patch_size=8, frozen_stages=2,
                           init_cfg=dict(checkpoint={checkpoint!r})),
             head=dict(in_channels=32))
train_dataloader = dict(batch_size=64, num_workers=0, persistent_workers=False, dataset=dict(ann_file={ann_file!r}))
val_dataloader = dict(batch_size=64, num_workers=0, persistent_workers=False, dataset=dict(indices=128))
test_dataloader = val_dataloader
default_hooks = dict(logger=dict(interval=1))
""")
    return str(path)


def test_linear_probe_loads_strictly_and_trains_one_epoch(tmp_path, cifar10_root, cifar10_subset,
                                                           pretraining_checkpoint):
    checkpoint, _, model = pretraining_checkpoint
    config = write_linear_config(tmp_path / 'linear.py', checkpoint, cifar10_subset)
    work_dir = tmp_path / 'work'
    result = run([sys.executable, osp.join(REPO_ROOT, 'tools', 'train.py'), config, '--data-root', cifar10_root,
                  '--work-dir', str(work_dir), '--epochs', '1'])
    assert result.returncode == 0, result.stderr[-3000:]
    [scalars] = glob.glob(str(work_dir / '*' / 'vis_data' / 'scalars.json'))
    records = [json.loads(line) for line in open(scalars)]
    assert len([r for r in records if 'loss' in r]) == 4  # 256 images, batch 64
    # the logged accuracy is that of the written checkpoint: tools/test.py scores it again, the same
    tested = run([sys.executable, osp.join(REPO_ROOT, 'tools', 'test.py'), config, str(work_dir / 'epoch_1.pth'),
                  '--data-root', cifar10_root, '--work-dir', str(tmp_path / 'test')])
    assert tested.returncode == 0, tested.stderr[-3000:]
    assert f"accuracy/top1: {records[-1]['accuracy/top1']:.4f}" in tested.stdout + tested.stderr
    # the frozen backbone in the trained checkpoint is exactly the pre-trained one
    trained = torch.load(str(work_dir / 'epoch_1.pth'), map_location='cpu', weights_only=True)['state_dict']
    for key, value in model.backbone.state_dict().items():
        assert torch.equal(trained[f'backbone.{key}'], value), key


def test_linear_probe_refuses_a_checkpoint_with_missing_backbone_keys(tmp_path, cifar10_root, cifar10_subset,
                                                                      pretraining_checkpoint):
    checkpoint, _, _ = pretraining_checkpoint
    state = torch.load(checkpoint, weights_only=True)
    del state['state_dict']['backbone.layers.0.ffn.layers.1.weight']
    broken = tmp_path / 'broken.pth'
    torch.save(state, broken)
    config = write_linear_config(tmp_path / 'linear.py', str(broken), cifar10_subset)
    result = run([sys.executable, osp.join(REPO_ROOT, 'tools', 'train.py'), config, '--data-root', cifar10_root,
                  '--work-dir', str(tmp_path / 'work'), '--epochs', '1'])
    assert result.returncode != 0
    assert 'missing' in result.stderr and 'layers.0.ffn.layers.1.weight' in result.stderr
