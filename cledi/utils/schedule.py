"""Change the length of an epoch-based schedule without hand-editing its scheduler list."""
from mmengine.config import Config

from cledi.utils.errors import InputError


def rescale_epochs(cfg: Config, max_epochs: int) -> Config:
    """Set ``train_cfg.max_epochs`` and stretch every epoch-based ``param_scheduler`` phase proportionally.

    A 10 + 190 epoch warm-up + cosine schedule becomes 1 + 19 for ``max_epochs=20``: warm-up keeps its share of
    the run (rounded, at least one epoch when it was non-zero) and the last phase ends at ``max_epochs``.
    Iteration-based phases are left as they are.
    """
    if max_epochs < 1:
        raise InputError(f'--epochs must be >= 1, got {max_epochs}')
    if 'max_epochs' not in (cfg.get('train_cfg') or {}):
        raise InputError(f"--epochs rescales an epoch-based schedule, but this config trains by iterations "
                         f"(train_cfg = {dict(cfg.get('train_cfg') or {})}); set the length with "
                         '--cfg-options train_cfg.max_iters=N instead')
    old_epochs = cfg.train_cfg.max_epochs
    scale = max_epochs / old_epochs
    schedulers = cfg.get('param_scheduler') or []
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    for scheduler in schedulers:
        if not scheduler.get('by_epoch', True):
            continue  # iteration-based phases (e.g. a warm-up of N iterations) keep their length
        begin = scheduler.get('begin', 0)
        end = min(scheduler.get('end', old_epochs), old_epochs)
        new_begin = round(begin * scale)
        new_end = max_epochs if end >= old_epochs else max(round(end * scale), new_begin + 1)
        scheduler['begin'], scheduler['end'] = new_begin, new_end
        if 'T_max' in scheduler:
            scheduler['T_max'] = new_end - new_begin
    cfg.train_cfg.max_epochs = max_epochs
    return cfg
