"""The EMA of the momentum encoder runs once per optimizer step, also with gradient accumulation."""
import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from cledi.engine import prepare_runner_config, setup_device

from ..conftest import TINY_CLEDI_MODEL
from ..test_tools.test_train import write_tiny_config


class WeightRecorder(Hook):
    """Snapshots of the online key modules' parameters before every iteration, and the EMA calls."""

    def __init__(self):
        self.before = []
        self.ema_iters = []

    def before_run(self, runner):
        teacher = runner.model.momentum_encoder
        ema = teacher.ema

        def counted(online):
            self.ema_iters.append(runner.iter)
            ema(online)

        teacher.ema = counted

    def before_train(self, runner):  # after the Runner initialised the weights (that comes after before_run)
        self.initial = online_params(runner.model)

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.before.append(online_params(runner.model))


def online_params(model):
    return [p.detach().clone() for module in model.key_modules().values() for p in module.parameters()]


def cosine_momentum(iteration, max_iters, base=0.99):
    import math
    return 1 - (1 - base) * (math.cos(math.pi * iteration / max_iters) + 1) / 2


@pytest.mark.parametrize('mode', ['in_loss', 'after_step'])
def test_with_accumulation_2_the_ema_runs_once_per_optimizer_step(mode, tmp_path, cifar10_root, cifar10_subset):
    config = write_tiny_config(tmp_path / 'tiny.py', cifar10_root, cifar10_subset, max_epochs=1,
                               model=dict(TINY_CLEDI_MODEL, teacher=dict(update=mode)))
    cfg = Config.fromfile(config)
    cfg.optim_wrapper.accumulative_counts = 2
    cfg.default_hooks.pop('knn')  # no kNN passes: only the EMA matters here
    cfg.work_dir = str(tmp_path / 'work')
    setup_device(cfg, amp='off')
    runner = Runner.from_cfg(prepare_runner_config(cfg))
    recorder = WeightRecorder()
    runner.register_hook(recorder)
    runner.train()
    max_iters = runner.max_iters  # 8: 256 images in batches of 32
    assert max_iters == 8 and len(recorder.before) == 8

    # one EMA per optimizer step (4 steps): in the loss of each step's first micro-batch, or after each step
    if mode == 'in_loss':
        assert recorder.ema_iters == [0, 2, 4, 6]
        updates = [(recorder.before[i], cosine_momentum(i, max_iters)) for i in (0, 2, 4, 6)]
    else:
        assert recorder.ema_iters == [1, 3, 5, 7]
        after = recorder.before[1:] + [online_params(runner.model)]  # the weights after iterations 0 .. 7
        updates = [(after[i], cosine_momentum(i + 1, max_iters)) for i in (1, 3, 5, 7)]
    reference = recorder.initial  # the momentum encoder starts as a copy of the online weights
    for weights, momentum in updates:  # ema = m * ema + (1 - m) * online, by hand
        reference = [momentum * ema + (1 - momentum) * online for ema, online in zip(reference, weights)]
    ema = [p for module in runner.model.momentum_encoder.values() for p in module.parameters()]
    assert len(ema) == len(reference)
    names = [f'{key}.{name}' for key, module in runner.model.momentum_encoder.items()
             for name, _ in module.named_parameters()]
    for name, got, expected in zip(names, ema, reference):
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6, msg=name)


def test_auto_scale_lr_counts_the_images_of_an_accumulated_step(tmp_path, cifar10_root, cifar10_subset):
    """The learning rate the Runner applies: the config's lr is per 256 images, a step of the tiny config sees 32
    images per micro-batch, so 6e-4 x 32 / 256 = 7.5e-5 without accumulation and twice that with 2 micro-batches
    per step (read from the optimizer MMEngine builds and scales, with the config prepared as tools/train.py does)."""
    config = write_tiny_config(tmp_path / 'tiny.py', cifar10_root, cifar10_subset, max_epochs=1)
    applied = {}
    for counts in (1, 2):
        cfg = Config.fromfile(config)
        cfg.optim_wrapper.accumulative_counts = counts
        cfg.optim_wrapper.optimizer.lr = 6e-4
        cfg.work_dir = str(tmp_path / f'work{counts}')
        prepare_runner_config(cfg)
        prepare_runner_config(cfg)  # applied once
        runner = Runner.from_cfg(cfg)
        wrapper = runner.build_optim_wrapper(cfg.optim_wrapper)
        runner.scale_lr(wrapper, cfg.auto_scale_lr)
        applied[counts] = wrapper.param_groups[0]['lr']
    assert applied[1] == pytest.approx(6e-4 * 32 / 256) and applied[2] == pytest.approx(2 * 6e-4 * 32 / 256)


def test_auto_scale_lr_counts_deepspeeds_own_accumulation():
    """The DeepSpeed config accumulates 2 micro-batches through ``strategy.gradient_accumulation_steps`` (its optim
    wrapper has no ``accumulative_counts``): the lr is scaled for 8 x 64 x 2 = 1,024 images a step."""
    import os.path as osp

    from cledi.utils import scale_lr_for_accumulation
    from ..conftest import REPO_ROOT
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'cledi',
                                   'cledi_vit-l-p16_8xb64-deepspeed-zero2-coslr-300e_image-folder.py'))
    base = cfg.auto_scale_lr.base_batch_size
    scale_lr_for_accumulation(cfg)
    assert 8 * 64 / cfg.auto_scale_lr.base_batch_size == 8 * 64 * 2 / base
