"""Every pre-training config loads and its model builds; CL-EDI and MoCo v3 twins are like for like."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from cledi.benchmarks.methods import METHODS

from .conftest import REPO_ROOT
from .helpers import build_model

PRETRAIN_CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p and f'{osp.sep}benchmarks{osp.sep}' not in p)
# ViT-L / ViT-H with a sharding strategy: built on the meta device below (their weights would take gigabytes)
SHARDED_CONFIGS = [p for p in PRETRAIN_CONFIGS if '-fsdp-' in p or '-deepspeed-' in p]
PRETRAIN_CONFIGS = [p for p in PRETRAIN_CONFIGS if p not in SHARDED_CONFIGS]
CLS_CONFIGS = sorted(glob.glob(osp.join(REPO_ROOT, 'configs', 'benchmarks', '*', '*.py')))
CLS_CONFIGS = [p for p in CLS_CONFIGS if f'{osp.sep}detection{osp.sep}' not in p]
# CL-EDI and its MoCo v3 baseline in every setting both are declared for (cledi/benchmarks/methods.py)
TWINS = [(cledi_config, METHODS['mocov3'].configs[setting])
         for setting, cledi_config in METHODS['cledi'].configs.items()]


def test_configs_are_found():
    assert len(PRETRAIN_CONFIGS) >= 8


@pytest.mark.parametrize('path', PRETRAIN_CONFIGS, ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_config_loads_and_model_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmpretrain'
    assert 'cledi' in cfg.custom_imports['imports']
    model = build_model(cfg.model)
    assert type(model).__name__ in ('CLEDI', 'MoCoV3', 'MAE')
    assert type(model.backbone).__name__ == ('MAEViT' if type(model).__name__ == 'MAE' else 'ViT')
    dataset = cfg.train_dataloader.dataset
    dataset = dataset.dataset if dataset.type == 'cledi.DecodedImageCache' else dataset
    assert dataset.get('data_root') or dataset.type == 'cledi.SklearnDigits'


@pytest.mark.parametrize('cledi_path,mocov3_path', TWINS, ids=lambda p: osp.basename(p))
def test_mocov3_baseline_is_like_for_like(cledi_path, mocov3_path):
    cledi = Config.fromfile(osp.join(REPO_ROOT, cledi_path))
    mocov3 = Config.fromfile(osp.join(REPO_ROOT, mocov3_path))
    for key in ('train_dataloader', 'data_preprocessor', 'optim_wrapper', 'param_scheduler', 'train_cfg',
                'auto_scale_lr', 'randomness', 'amp'):
        assert cledi[key] == mocov3[key], key
    for key in ('knn_bank_dataloader', 'knn_query_dataloader'):
        assert cledi.get(key) == mocov3.get(key), key
    assert {**cledi.model.backbone, 'out_type': None} == {**mocov3.model.backbone, 'out_type': None}
    assert cledi.model.neck == mocov3.model.neck
    assert cledi.model.head.predictor == mocov3.model.head.predictor
    assert cledi.model.head.temperature == mocov3.model.head.temperature
    assert mocov3.model.head.loss.loss_weight == pytest.approx(2 * mocov3.model.head.temperature)
    assert 1 - cledi.model.teacher.momentum == pytest.approx(mocov3.model.base_momentum)
    # the only runtime difference: CL-EDI's momentum hook (MoCoV3 schedules its own EMA)
    assert cledi.default_hooks.pop('momentum') == dict(type='cledi.CosineMomentumHook')
    assert cledi.default_hooks == mocov3.default_hooks and not cledi.get('custom_hooks')


# MAE (MMPretrain's classes) reads one view per image through MMPretrain's own pipeline (the PIL path)
@pytest.mark.parametrize('path', [p for p in PRETRAIN_CONFIGS if 'cifar10' in p and 'download' not in p
                                  and f'{osp.sep}mae{osp.sep}' not in p], ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_cifar_pretraining_configs_use_the_fast_path_and_the_knn_monitor(path):
    cfg = Config.fromfile(path)
    assert cfg.data_preprocessor.type == 'cledi.MultiViewPreprocessor'
    assert cfg.train_dataloader.dataset.type == 'cledi.DecodedImageCache'
    assert [t['type'] for t in cfg.train_dataloader.dataset.pipeline] == ['PackInputs']
    assert cfg.default_hooks.knn.type == 'cledi.KNNEvalHook' and cfg.default_hooks.knn.interval >= 1


def test_classification_configs_are_found():
    assert {osp.basename(osp.dirname(p)) for p in CLS_CONFIGS} == {'linear', 'finetune'}


@pytest.mark.parametrize('path', CLS_CONFIGS, ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_classification_config_loads_and_model_builds(path):
    cfg = Config.fromfile(path)
    model = build_model(cfg.model)
    assert type(model).__name__ == 'ImageClassifier' and type(model.backbone).__name__ == 'ViT'
    assert cfg.model.backbone.init_cfg.prefix == 'backbone.'
    if '/linear/' in path:  # frozen backbone
        assert not any(p.requires_grad for n, p in model.backbone.named_parameters())


def test_sharded_configs_are_found():
    names = {osp.basename(p) for p in SHARDED_CONFIGS}
    assert names == {'cledi_vit-l-p16_8xb64-fsdp-coslr-300e_image-folder.py',
                     'cledi_vit-h-p14_8xb32-fsdp-coslr-300e_image-folder.py',
                     'cledi_vit-l-p16_8xb64-deepspeed-zero2-coslr-300e_image-folder.py'}


@pytest.mark.parametrize('path', SHARDED_CONFIGS, ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_sharded_config_loads_and_its_model_builds_on_the_meta_device(path):
    import torch
    from mmengine.registry import FUNCTIONS, init_default_scope
    from mmpretrain.registry import MODELS
    import cledi.engine  # noqa: F401  (registers the strategy and its functions)
    cfg = Config.fromfile(path)
    init_default_scope('mmpretrain')
    with torch.device('meta'):
        model = MODELS.build(cfg.model)
    assert model.momentum_encoder.update_at == 'after_step'
    backbone_params = sum(p.numel() for p in model.backbone.parameters())
    large = 'vit-l' in osp.basename(path)
    assert backbone_params == pytest.approx(304e6 if large else 632e6, rel=0.02)  # ViT-L/16, ViT-H/14
    assert model.backbone.patch_size == (16 if large else 14)
    if cfg.strategy.type == 'cledi.FSDPStrategy':
        with FUNCTIONS.switch_scope_and_registry(None):
            assert FUNCTIONS.get(cfg.strategy.model_wrapper.auto_wrap_policy) is not None
            assert FUNCTIONS.get(cfg.strategy.activation_checkpointing.check_fn) is not None
        assert cfg.optim_wrapper.accumulative_counts >= 2
    else:
        assert cfg.strategy.zero_optimization.stage == 2 and cfg.optim_wrapper.type == 'DeepSpeedOptimWrapper'


def test_multi_crop_twins_differ_only_by_the_detail_part():
    """The regime's twins: CL-EDI gets exactly MoCo v3's recipe (views, local views, schedule, seeds), plus the
    detail part; MoCo v3 is cledi.CLEDI without one."""
    mocov3 = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'mocov3',
                                      'mocov3-views_vit-mini-p4_1xb128-mc4x16-coslr-200e_cifar10-10pct.py'))
    cledi = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'cledi',
                                     'cledi_vit-mini-p4_1xb128-mc4x16-coslr-200e_cifar10-10pct.py'))
    assert mocov3.model.type == cledi.model.type == 'cledi.CLEDI' and mocov3.model.get('detail') is None
    assert cledi.model.detail.type == 'cledi.GlobalDetail'
    assert {**cledi.model, 'detail': None} == {**mocov3.model, 'detail': None}
    assert mocov3.data_preprocessor.num_local_views == cledi.data_preprocessor.num_local_views == 4
    for key in ('data_preprocessor', 'train_dataloader', 'optim_wrapper', 'param_scheduler', 'train_cfg',
                'default_hooks', 'knn_query_dataloader', 'knn_test_dataloader', 'randomness'):
        assert cledi[key] == mocov3[key], key


@pytest.mark.parametrize('method', ['dino', 'ibot', 'mae', 'dino-detail'])
def test_an_alternative_method_trains_the_same_encoder_on_the_same_images(method):
    """The alternative methods of the comparison pre-train the encoder of MoCo v3's config (width, depth, heads,
    patch, input size) on the same 5,000 images in batches of the same size; their recipes differ."""
    import torch
    mocov3 = Config.fromfile(osp.join(REPO_ROOT, METHODS['mocov3'].configs['vit-mini-p4']))
    other = Config.fromfile(osp.join(REPO_ROOT, METHODS[method].configs['vit-mini-p4']))

    def encoder(cfg):
        model = build_model(cfg.model)
        backbone = model.backbone
        return (backbone.embed_dims, backbone.num_layers, backbone.layers[0].attn.num_heads,
                backbone.patch_embed.projection.kernel_size, tuple(backbone.patch_resolution),
                sum(p.numel() for p in backbone.parameters()))

    def images(cfg):
        dataset = cfg.train_dataloader.dataset
        dataset = dataset.dataset if dataset.type == 'cledi.DecodedImageCache' else dataset
        return dataset.ann_file, dataset.data_prefix, cfg.train_dataloader.batch_size

    assert encoder(other) == encoder(mocov3)
    assert images(other) == images(mocov3)


def monitored_files(cfg, loader: str):
    """The images a kNN loader of a config reads: (split, file) pairs of its list (and indices) in the shared data
    (the CIFAR-10 folder copy), or the sklearn digits split."""
    from .conftest import DATA_ROOT
    dataset = cfg[loader]['dataset']
    dataset = dataset.get('dataset', dataset)
    if dataset['type'] == 'cledi.SklearnDigits':
        return {('digits', dataset['split'])}
    with open(osp.join(DATA_ROOT, osp.basename(dataset['data_root'].rstrip('/')), dataset['ann_file'])) as f:
        lines = [line.split()[0] for line in f]
    indices = dataset.get('indices')
    chosen = range(len(lines)) if indices is None else range(indices) if isinstance(indices, int) else indices
    return {(dataset['data_prefix'], lines[i]) for i in chosen}


@pytest.mark.parametrize('path', [p for p in PRETRAIN_CONFIGS + SHARDED_CONFIGS],
                         ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_the_knn_monitor_scores_queries_outside_its_bank(path):
    """Every config's kNN monitor (and tools/knn_eval.py --split val) classifies images that are not in its bank,
    and never the test split, so a kept best checkpoint is chosen without it."""
    cfg = Config.fromfile(path)
    knn = cfg.get('default_hooks', {}).get('knn')
    if not knn or not cfg.get('knn_bank_dataloader'):
        assert not cfg.get('knn_bank_dataloader'), 'a kNN bank without the monitor'
        return  # no monitor (a folder of the user's images, Penn-Fudan, torchvision's download)
    query = knn.get('query_dataloader', 'knn_query_dataloader')
    assert query == 'knn_query_dataloader'
    bank, queries = monitored_files(cfg, 'knn_bank_dataloader'), monitored_files(cfg, query)
    assert queries and bank and not bank & queries
    assert not any(split == 'test' for split, _ in queries)


def test_the_data_size_splits_are_nested_and_outside_the_val_queries(cifar10_root):
    """1,000 images (100 a class) within the 10 % split (500 a class) within 25,000 (2,500 a class), none of them a
    val query (configs/_base_/datasets/cifar10_splits.py, read on the real lists)."""
    splits = Config.fromfile(osp.join(REPO_ROOT, 'configs', '_base_', 'datasets', 'cifar10_splits.py'))
    with open(osp.join(cifar10_root, 'meta', 'train.txt')) as f:
        lines = f.read().splitlines()
    with open(osp.join(cifar10_root, 'meta', 'train_10pct.txt')) as f:
        ten_percent = set(f.read().splitlines())
    one, quarter = ({lines[i] for i in indices} for indices in (splits.train_1k_indices, splits.train_25k_indices))
    val = {lines[i] for i in splits.val_indices}
    assert (len(one), len(ten_percent), len(quarter), len(val)) == (1000, 5000, 25000, 5000)
    assert one < ten_percent < quarter and not quarter & val
    for subset, per_class in ((one, 100), (quarter, 2500)):
        counts = {}
        for line in subset:
            counts[line.rsplit(' ', 1)[1]] = counts.get(line.rsplit(' ', 1)[1], 0) + 1
        assert counts == {str(label): per_class for label in range(10)}
