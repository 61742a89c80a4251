
import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from cledi.engine import prepare_runner_config
from cledi.utils import check_data_roots
from cledi.utils.schedule import rescale_epochs

from ..helpers import CIFAR_CLEDI_CONFIG


def test_collate_scope_from_mmpretrain_bases_is_removed(tmp_path, cifar10_root):
    # inheriting an mmpretrain:: base injects `_scope_` into collate_fn, which default_collate rejects
    config = tmp_path / 'inherits_mmpretrain.py'
    config.write_text(f"""_base_ = ['mmpretrain::_base_/datasets/imagenet_bs512_mocov3.py']
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                        dataset=dict(type='CustomDataset', data_root={cifar10_root!r}, ann_file='meta/test.txt',
                                     data_prefix='test', _delete_=True,
                                     pipeline=[dict(type='LoadImageFromFile'), dict(type='PackInputs')]))
""")
    cfg = Config.fromfile(str(config))
    assert cfg.train_dataloader.collate_fn.get('_scope_') == 'mmpretrain'
    prepare_runner_config(cfg)
    assert '_scope_' not in cfg.train_dataloader.collate_fn
    from mmengine.registry import init_default_scope
    init_default_scope('mmpretrain')
    batch = next(iter(Runner.build_dataloader(cfg.train_dataloader)))
    assert batch['inputs'].shape == (2, 3, 32, 32)


def test_missing_data_root_error_names_path_and_fix():
    cfg = Config.fromfile(CIFAR_CLEDI_CONFIG)
    with pytest.raises(FileNotFoundError, match=r"data_root 'data/cifar10/' does not exist.*--cfg-options"):
        check_data_roots(cfg)


def test_rescale_epochs_keeps_warmup_share():
    cfg = Config.fromfile(CIFAR_CLEDI_CONFIG)  # 10 warm-up + 190 cosine
    rescale_epochs(cfg, 20)
    warmup, cosine = cfg.param_scheduler
    assert (warmup.begin, warmup.end) == (0, 1)
    assert (cosine.begin, cosine.end, cosine.T_max) == (1, 20, 19)
    assert cfg.train_cfg.max_epochs == 20
