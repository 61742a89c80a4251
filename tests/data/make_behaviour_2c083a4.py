"""Record what cledi 2c083a4 (before the methods became parts) does, for tests/test_models/test_behaviour.py.

Run inside a checkout of that commit, with the data beside it or ``CLEDI_DATA_ROOT`` set::

    git worktree add /tmp/cledi-2c083a4 2c083a4
    cd /tmp/cledi-2c083a4 && PYTHONPATH=$PWD python /path/to/this/file.py OUT.json

It records, as JSON:

- ``losses``: the first 5 logged losses of a tiny pre-training through ``tools/train.py`` (the tests' unit-sized
  model, 256 real CIFAR-10 images, batch 32, float32, ``randomness.deterministic=True``, logged every iteration)
  of MMPretrain's MoCoV3, multi-crop MoCo v3 (``cledi.CLEDI`` without a detail part, 2 local views) and CL-EDI;
- ``state_dicts``: the key and shape of every entry of the full-size model of each regime and screening config
  (what a checkpoint of that config holds), so a test can make such a checkpoint and load it strictly.
"""
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile

REPO = os.getcwd()
sys.path.insert(0, REPO)

from tests.conftest import DATA_ROOT, TINY_CLEDI_MODEL  # noqa: E402
from tests.test_tools.test_train import scalars, write_tiny_config  # noqa: E402

DESIGN = 'configs/ablations/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct_{}.py'
TINY_RUNS = {  # name: (base config, model overrides)
    'mocov3': ('configs/mocov3/mocov3_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py',
               {k: TINY_CLEDI_MODEL[k] for k in ('backbone', 'neck', 'head')}),
    'mocov3-mc2': ('configs/mocov3/mocov3-views_vit-mini-p4_1xb128-mc2x16-coslr-200e_cifar10-10pct.py', TINY_CLEDI_MODEL),
    'cledi': ('configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py', TINY_CLEDI_MODEL),
    **{design: (DESIGN.format(design), TINY_CLEDI_MODEL) for design in ('shared-head', 'cls-pool', 'local-cls',
                                                                        'local-region')},
}
TRAIN_OPTIONS = ['--amp', 'off', '--cfg-options', 'randomness.deterministic=True', 'default_hooks.logger.interval=1',
                 'default_hooks.knn.interval=5']
FULL_SIZE = {
    'mocov3': 'configs/mocov3/mocov3_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py',
    'cledi': 'configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py',
    'mocov3-mc2': 'configs/mocov3/mocov3-views_vit-mini-p4_1xb128-mc2x16-coslr-200e_cifar10-10pct.py',
    **{design: DESIGN.format(design) for design in ('shared-head', 'cls-pool', 'local-cls', 'local-region')},
}


def subset_of_cifar10(path: str) -> str:
    """The 256 images of the tests' ``cifar10_subset`` fixture: the first lines of every class, interleaved."""
    with open(osp.join(DATA_ROOT, 'cifar10', 'meta', 'train.txt')) as f:
        lines = f.read().splitlines()
    by_class = {}
    for line in lines:
        by_class.setdefault(line.rsplit(' ', 1)[1], []).append(line)
    subset = [line for rank in range(26) for items in by_class.values() for line in items[rank:rank + 1]][:256]
    with open(path, 'w') as f:
        f.write('\n'.join(subset) + '\n')
    return path


def first_losses(tmp: str, name: str, base: str, model: dict, ann_file: str) -> list:
    from pathlib import Path
    config = write_tiny_config(Path(tmp) / f'{name}.py', osp.join(DATA_ROOT, 'cifar10'), ann_file, max_epochs=1,
                               base=osp.join(REPO, base), model=model)
    work_dir = osp.join(tmp, name)
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    subprocess.run([sys.executable, osp.join(REPO, 'tools', 'train.py'), config, '--work-dir', work_dir,
                    *TRAIN_OPTIONS], cwd=REPO, env=env, check=True, capture_output=True)
    return [record['loss'] for record in scalars(work_dir) if 'loss' in record][:5]


def state_dict_shapes(config: str) -> dict:
    from cledi.apis import load_config
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS
    cfg = load_config(osp.join(REPO, config))
    init_default_scope('mmpretrain')
    model = MODELS.build(cfg.model)
    return {key: list(value.shape) for key, value in model.state_dict().items()}


def main(out: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ann_file = subset_of_cifar10(osp.join(tmp, 'train_256.txt'))
        losses = {name: first_losses(tmp, name, base, model, ann_file) for name, (base, model) in TINY_RUNS.items()}
    record = dict(commit='2c083a4', train_options=TRAIN_OPTIONS, losses=losses,
                  state_dicts={name: dict(config=config, shapes=state_dict_shapes(config))
                               for name, config in FULL_SIZE.items()})
    with open(out, 'w') as f:
        json.dump(record, f, indent=0, sort_keys=True)


if __name__ == '__main__':
    main(sys.argv[1])
