"""Shared fixtures: where the real data lives, and tiny model settings (width 32, 2 layers, 32x32)."""
import os
import os.path as osp

import pytest
import torch

from cledi.apis import REPO_ROOT, default_data_root

DATA_ROOT = default_data_root()  # $CLEDI_DATA_ROOT, else ../shared/data beside the checkout

TINY_ARCH = dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)
# config overrides that shrink any CL-EDI config to a unit-sized model (32x32 input, patch 8); the detail
# projector / predictor follow the global ones
TINY_CLEDI_MODEL = dict(
    backbone=dict(arch=dict(TINY_ARCH, _delete_=True), img_size=32, patch_size=8),
    neck=dict(in_channels=32, hid_channels=64, out_channels=32),
    head=dict(predictor=dict(in_channels=32, hid_channels=64, out_channels=32)))


def _require_dir(path: str, what: str) -> str:
    if not osp.isdir(path):
        raise FileNotFoundError(f'{what} not found at {path}: the tests need ../shared/data beside the checkout, '
                                'or CLEDI_DATA_ROOT pointing at a folder with cifar10/ and pennfudan/')
    return path


@pytest.fixture(scope='session')
def cifar10_root() -> str:
    return _require_dir(osp.join(DATA_ROOT, 'cifar10'), 'CIFAR-10 (JPEG folders)')


@pytest.fixture(scope='session')
def pennfudan_root() -> str:
    return _require_dir(osp.join(DATA_ROOT, 'pennfudan'), 'Penn-Fudan (COCO json)')


@pytest.fixture(scope='session')
def cifar10_subset(cifar10_root, tmp_path_factory) -> str:
    """An annotation file with 256 real CIFAR-10 training images (the first lines of every class, interleaved)."""
    with open(osp.join(cifar10_root, 'meta', 'train.txt')) as f:
        lines = f.read().splitlines()
    by_class = {}
    for line in lines:
        by_class.setdefault(line.rsplit(' ', 1)[1], []).append(line)
    subset = [line for rank in range(26) for items in by_class.values() for line in items[rank:rank + 1]][:256]
    path = tmp_path_factory.mktemp('cifar_subset') / 'train_256.txt'
    path.write_text('\n'.join(subset) + '\n')
    return str(path)


@pytest.fixture(scope='session', autouse=True)
def _image_cache(tmp_path_factory):
    """Decoded-image caches of this session go to a temporary folder, not ~/.cache/cledi/images."""
    previous = os.environ.get('CLEDI_CACHE_DIR')
    os.environ['CLEDI_CACHE_DIR'] = str(tmp_path_factory.mktemp('image_cache'))
    yield
    if previous is None:
        os.environ.pop('CLEDI_CACHE_DIR', None)
    else:
        os.environ['CLEDI_CACHE_DIR'] = previous


@pytest.fixture(autouse=True)
def _few_threads():
    torch.set_num_threads(2)
    yield


@pytest.fixture(scope='session')
def pretraining_checkpoint(tmp_path_factory):
    """A CL-EDI pre-training checkpoint of the tiny model (the layout MMEngine's CheckpointHook writes), the
    config it came from, and the model: (checkpoint path, config path, model)."""
    from .helpers import build_model, tiny_cledi_config
    torch.manual_seed(0)
    cfg = tiny_cledi_config()
    model = build_model(cfg.model)
    path = tmp_path_factory.mktemp('ckpt') / 'epoch_1.pth'
    torch.save(dict(meta=dict(epoch=1), state_dict=model.state_dict()), path)
    config = tmp_path_factory.mktemp('cfg') / 'tiny_cledi.py'
    config.write_text(cfg.pretty_text)
    return str(path), str(config), model
