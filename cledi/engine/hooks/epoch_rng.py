"""Random streams that depend only on (seed, epoch, rank), so a resumed run repeats the interrupted epoch exactly."""
import random

import numpy as np
import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook

from cledi.registry import HOOKS


def epoch_seed(seed: int, epoch: int, rank: int) -> int:
    """A seed for one epoch of one process, distinct for every (seed, epoch, rank)."""
    return (seed * 1_000_003 + epoch * 9_973 + rank * 101) % 2**31


@HOOKS.register_module()
class EpochRNGHook(Hook):
    """Re-seed the main process's random generators (torch, CUDA, numpy, random) at the first iteration of every
    epoch from ``(runner.seed, epoch, rank)``.

    Without it, a resumed run continues from the fresh seed of the new process, not from where the interrupted
    process's generators stood, so everything random in the main process differs after a resume (the views of the
    fast path come from ``cledi.MultiViewPreprocessor``'s own stream, whose batch counter is saved with the model). MMEngine does not save these
    states; saving them would not be enough either, because a dataloader iterator's creation draws from the torch
    generator once per epoch with ``persistent_workers=False`` but only in the first epoch otherwise, which a
    resume changes. Seeding at the first *iteration* (the iterator exists by then) makes each epoch's stream a
    function of the epoch alone: a run resumed from an epoch checkpoint repeats the following epochs bit for bit
    (in deterministic mode; a test checks the losses and the final weights).

    Not covered: random work inside loader workers that persist across epochs (the PIL path's transforms), whose
    generators restart with their worker seeds after a resume.
    """

    priority = 'HIGHEST'

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if batch_idx != 0:
            return
        seed = epoch_seed(runner.seed or 0, runner.epoch, get_rank())
        torch.manual_seed(seed)  # also seeds every CUDA device
        np.random.seed(seed)
        random.seed(seed)
