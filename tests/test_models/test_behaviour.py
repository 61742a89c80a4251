"""The methods as parts behave as the code before them did (cledi 2c083a4, recorded by
tests/data/make_behaviour_2c083a4.py): the same logged losses of a short real pre-training, and checkpoints of
every regime and screening config load strictly."""
import json
import os.path as osp
import sys

import pytest
import torch

from ..conftest import REPO_ROOT
from ..helpers import build_model
from ..test_tools.test_train import TRAIN, run, scalars, write_tiny_config

RECORD = osp.join(REPO_ROOT, 'tests', 'data', 'behaviour_2c083a4.json')
sys.path.insert(0, osp.join(REPO_ROOT, 'tests', 'data'))
from make_behaviour_2c083a4 import TINY_RUNS  # noqa: E402  (the runs as they were recorded)

with open(RECORD) as f:
    RECORDED = json.load(f)


@pytest.mark.parametrize('name', ['mocov3', 'mocov3-mc2', 'cledi', 'local-region'])
def test_the_first_five_logged_losses_are_those_of_the_code_before_the_parts(name, tmp_path, cifar10_root,
                                                                               cifar10_subset):
    """MMPretrain's MoCoV3, multi-crop MoCo v3, CL-EDI and a region design (the part with the most pieces) through
    tools/train.py in float32. The tolerance covers the CPU kernels of other machines (the recorded numbers came
    from an AVX2 EPYC); a change of behaviour moves the losses by far more (one optimizer step at this lr already
    moves the second loss by ~1 %)."""
    base, model = TINY_RUNS[name]
    config = write_tiny_config(tmp_path / f'{name}.py', cifar10_root, cifar10_subset, max_epochs=1,
                               base=osp.join(REPO_ROOT, base), model=model)
    result = run([sys.executable, TRAIN, config, '--work-dir', str(tmp_path / 'work'), *RECORDED['train_options']])
    assert result.returncode == 0, result.stderr[-3000:]
    losses = [record['loss'] for record in scalars(str(tmp_path / 'work')) if 'loss' in record][:5]
    assert losses == pytest.approx(RECORDED["losses"][name], rel=1e-4, abs=0)


@pytest.mark.parametrize('name', sorted(RECORDED['state_dicts']))
def test_a_checkpoint_of_each_regime_config_from_before_the_parts_loads_strictly(name):
    """A checkpoint with every key and shape the config's model had at 2c083a4 (random values) loads with
    ``strict=True``, and the model holds exactly those entries."""
    from cledi.apis import load_config
    entry = RECORDED['state_dicts'][name]
    torch.manual_seed(0)
    model = build_model(load_config(osp.join(REPO_ROOT, entry['config'])).model)
    old = {key: torch.randn(shape) if shape else torch.randn(()) for key, shape in entry['shapes'].items()}
    for key, value in model.state_dict().items():  # integer buffers keep their dtype
        if key in old and not value.dtype.is_floating_point:
            old[key] = old[key].abs().to(value.dtype)
    model.load_state_dict(old, strict=True)
    assert {key: list(value.shape) for key, value in model.state_dict().items()} == entry['shapes']
    key = 'momentum_encoder.backbone.cls_token' if 'momentum_encoder.backbone.cls_token' in old else 'backbone.cls_token'
    assert torch.equal(model.state_dict()[key], old[key])
