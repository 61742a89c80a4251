"""Config preparation shared by the tools and the tests."""
import os.path as osp
from typing import Iterator, Tuple

from mmengine.config import Config, ConfigDict

from cledi.utils.errors import MissingInputError

def _dataloaders(cfg: Config) -> Iterator[Tuple[str, ConfigDict]]:
    """Every dataloader config: top-level ``*_dataloader`` entries and those inside ``custom_hooks``."""
    for key in list(cfg.keys()):
        if key.endswith('_dataloader') and isinstance(cfg[key], dict):
            yield key, cfg[key]
    for index, hook in enumerate(cfg.get('custom_hooks') or []):
        for key, value in hook.items():
            if key.endswith('_dataloader') and isinstance(value, dict):
                yield f'custom_hooks.{index}.{key}', value


def strip_collate_scope(cfg: Config) -> None:
    """Drop ``_scope_`` from every dataloader's ``collate_fn``.

    Inheriting ``mmpretrain::``/``mmdet::`` bases makes MMEngine inject ``_scope_`` into dicts such as
    ``collate_fn``; the Runner then calls ``default_collate(batch, _scope_=...)`` and fails with
    ``TypeError: default_collate() got an unexpected keyword argument '_scope_'``. A collate function is looked
    up in MMEngine's FUNCTIONS registry, where the scope has no meaning.
    """
    for _, loader in _dataloaders(cfg):
        collate_fn = loader.get('collate_fn')
        if isinstance(collate_fn, dict):
            collate_fn.pop('_scope_', None)


def _iter_datasets(dataset: dict, path: str = 'dataset') -> Iterator[Tuple[str, dict]]:
    """Yield the leaf dataset configs with their config paths (through wrappers such as ConcatDataset,
    RepeatDataset and cledi.DecodedImageCache)."""
    if 'datasets' in dataset:
        for index, child in enumerate(dataset['datasets']):
            yield from _iter_datasets(child, f'{path}.datasets.{index}')
    elif isinstance(dataset.get('dataset'), dict):
        yield from _iter_datasets(dataset['dataset'], f'{path}.dataset')
    else:
        yield path, dataset


def check_data_roots(cfg: Config) -> None:
    """Fail early, before anything is written, when a dataloader's ``data_root`` does not exist.

    Raises:
        FileNotFoundError: naming the missing path and the option that points the config at the data.
    """
    for key, loader in _dataloaders(cfg):
        dataset = loader.get('dataset')
        if not isinstance(dataset, dict):
            continue
        for path, leaf in _iter_datasets(dataset):
            data_root = leaf.get('data_root')
            if data_root and not osp.isdir(data_root):
                raise MissingInputError(
                    f"{key}: data_root '{data_root}' does not exist (resolved from '{osp.abspath(data_root)}'). "
                    'Put the data there, or point the config at it: `tools/train.py CONFIG --data-root /path/to/data` '
                    f'(sets every dataloader), or `--cfg-options {key}.{path}.data_root=/path/to/data`.')


def set_data_root(cfg: Config, data_root: str) -> Config:
    """Point every dataloader of the config (the kNN monitor's included) at ``data_root``.

    Evaluators that read annotations themselves (e.g. ``CocoMetric.ann_file``) follow when their path starts
    with a dataloader's previous ``data_root``.
    """
    old_roots = set()
    for _, loader in _dataloaders(cfg):
        dataset = loader.get('dataset')
        if isinstance(dataset, dict):
            for _, leaf in _iter_datasets(dataset):
                if leaf.get('data_root'):
                    old_roots.add(leaf['data_root'])
                leaf['data_root'] = data_root
    for key in [k for k in cfg.keys() if k.endswith('_evaluator')]:
        evaluators = cfg[key] if isinstance(cfg[key], (list, tuple)) else [cfg[key]]
        for evaluator in evaluators:
            ann_file = evaluator.get('ann_file') if isinstance(evaluator, dict) else None
            for old_root in old_roots:
                if isinstance(ann_file, str) and ann_file.startswith(old_root):
                    evaluator['ann_file'] = osp.join(data_root, ann_file[len(old_root):].lstrip('/'))
                    break
    return cfg


def merge_data_preprocessor(cfg: Config) -> Config:
    """Put the top-level ``data_preprocessor`` (the data bases' entry, MMPretrain's idiom) into ``cfg.model``
    unless the model sets its own, as ``Runner`` does; then ``MODELS.build(cfg.model)`` gives the model of a run."""
    if isinstance(cfg.get('model'), dict) and isinstance(cfg.get('data_preprocessor'), dict):
        cfg.model.setdefault('data_preprocessor', cfg.data_preprocessor)
    return cfg


def scale_lr_for_accumulation(cfg: Config) -> Config:
    """Make ``auto_scale_lr`` count the images of an optimizer step, not of one micro-batch.

    MMEngine scales the lr by ``world_size * batch_size / base_batch_size``, ignoring
    ``optim_wrapper.accumulative_counts``: with 2 micro-batches per step the lr came out for half the images a
    step sees. DeepSpeed's ``strategy.gradient_accumulation_steps`` counts the same way. Dividing
    ``base_batch_size`` by the count gives MMEngine's ratio the step's batch. Applied once
    (``auto_scale_lr.accumulative_counts`` records it).
    """
    scale, optim, strategy = cfg.get('auto_scale_lr'), cfg.get('optim_wrapper'), cfg.get('strategy')
    counts = optim.get('accumulative_counts', 1) if isinstance(optim, dict) else 1
    if isinstance(strategy, dict) and strategy.get('type') == 'DeepSpeedStrategy':  # DeepSpeed accumulates itself
        counts = max(counts, strategy.get('gradient_accumulation_steps', 1))
    if (counts > 1 and isinstance(scale, dict) and scale.get('enable') and scale.get('base_batch_size')
            and 'accumulative_counts' not in scale):
        scale['base_batch_size'] = scale['base_batch_size'] / counts
        scale['accumulative_counts'] = counts
    return cfg
