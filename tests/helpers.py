"""Small builders shared by the tests."""
import copy
import os.path as osp

from mmengine.config import Config
from mmengine.registry import init_default_scope

from cledi.utils import merge_data_preprocessor

from .conftest import REPO_ROOT, TINY_CLEDI_MODEL

CIFAR_CLEDI_CONFIG = osp.join(REPO_ROOT, 'configs', 'cledi', 'cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py')
CIFAR_MOCOV3_CONFIG = osp.join(REPO_ROOT, 'configs', 'mocov3', 'mocov3_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py')


def tiny_cledi_config(**model_overrides) -> Config:
    """The CIFAR CL-EDI config shrunk to a unit-sized model, with optional extra model overrides."""
    cfg = merge_data_preprocessor(Config.fromfile(CIFAR_CLEDI_CONFIG))
    cfg.merge_from_dict(dict(model=copy.deepcopy(TINY_CLEDI_MODEL)))
    if model_overrides:
        cfg.merge_from_dict(dict(model=model_overrides))
    return cfg


def build_model(model_cfg, scope: str = 'mmpretrain'):
    from mmpretrain.registry import MODELS
    init_default_scope(scope)
    model = MODELS.build(copy.deepcopy(model_cfg))
    model.init_weights()
    return model
