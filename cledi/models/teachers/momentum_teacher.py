"""The momentum (EMA) teacher: MoCo v3's momentum encoder, DINO's and iBOT's teacher."""
import copy
import math
from typing import Dict, List, Literal

import torch
import torch.nn as nn

from cledi.models.utils import EncodedViews, encode_views

UPDATES = ('in_loss', 'after_step')


class MomentumTeacher(nn.ModuleDict):
    """EMA copies of a student's key modules (``backbone``, ``neck``, a detail part's ``detail_<name>``), with the
    momentum schedule and the teacher's forward.

    The copies are this dict's entries, so a method that keeps its teacher as ``momentum_encoder`` has the
    checkpoint keys ``momentum_encoder.<name>.*``. The copies get no gradient. The schedule is MoCo v3's (and BYOL's,
    DINO's) cosine from ``momentum`` to 1 over training: ``m = 1 - (1 - m0) * (cos(pi * k / K) + 1) / 2``, set from
    the iteration ``k`` of ``K`` by :meth:`schedule` (``cledi.CosineMomentumHook`` calls it before every iteration,
    from the Runner's own counters, so a resumed run continues the schedule). The EMA
    ``ema = m * ema + (1 - m) * online`` runs once per optimizer step:

    - ``update='in_loss'`` (MoCo v3's order): at the start of the loss, before the keys (:meth:`before_loss`), in the
      first micro-batch after each optimizer step (:meth:`schedule` says which iteration starts a step);
    - ``update='after_step'``: after each optimizer step, outside forward, where a sharded (FSDP) model can gather its
      full weights (the hook calls :meth:`ema` with the next iteration's momentum). The same arithmetic.

    Buffers (BatchNorm statistics) are copied, not averaged; they lag one forward pass in both orders (keys are
    made in train mode, so no loss depends on them).

    Args:
        online (dict[str, nn.Module]): The student's modules that make keys, by name; copied here.
        momentum (float): The EMA momentum at the start of training (MoCo v3: 0.99; DINO: 0.996). MMPretrain's
            ``base_momentum`` counts the other way: ``base_momentum = 1 - momentum`` (MoCoV3's 0.01 is this 0.99).
            Defaults to 0.99.
        update (str): ``'in_loss'`` or ``'after_step'``. Defaults to ``'in_loss'``.
    """

    def __init__(self, online: Dict[str, nn.Module], momentum: float = 0.99,
                 update: Literal['in_loss', 'after_step'] = 'in_loss') -> None:
        super().__init__({name: copy.deepcopy(module) for name, module in online.items()})
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f'teacher momentum must be in [0, 1], got {momentum} (MMPretrain counts 1 - momentum: '
                             'its base_momentum=0.01 is momentum=0.99 here)')
        if update not in UPDATES:
            raise ValueError(f'teacher update {update!r} is not one of {UPDATES}')
        self.requires_grad_(False)
        self.base_momentum = self.momentum = momentum
        self.update_at = update  # (not `update`: nn.ModuleDict.update is a method)
        self.progress = 1.0  # of training; set with the momentum each iteration (a model used alone: full weights)
        # whether the in-loss EMA runs in the next loss: False for the later micro-batches of an accumulation group
        # (one EMA per optimizer step); True when the model is used alone
        self._ema_due = True

    def schedule(self, cur_iter: int, max_iters: int, starts_step: bool = True) -> float:
        """Set the momentum and the progress of iteration ``cur_iter`` of ``max_iters``; ``starts_step``: this
        iteration is the first micro-batch after an optimizer step (so an in-loss EMA is due). Returns the momentum."""
        self.progress = min(max(cur_iter / max(max_iters, 1), 0.0), 1.0)
        self.momentum = 1.0 - (1.0 - self.base_momentum) * (math.cos(math.pi * self.progress) + 1.0) / 2.0
        self._ema_due = starts_step
        return self.momentum

    @torch.no_grad()
    def copy_from(self, online: Dict[str, nn.Module]) -> None:
        """Make every copy equal to its online module (the start of training)."""
        for name, module in online.items():
            self[name].load_state_dict(module.state_dict())

    @torch.no_grad()
    def ema(self, online: Dict[str, nn.Module]) -> None:
        """``ema = m * ema + (1 - m) * online`` for every parameter (one fused call); buffers are copied."""
        pairs = [(self[name], module) for name, module in online.items()]
        ema_params = [p for ema, _ in pairs for p in ema.parameters()]
        params = [p.detach() for _, module in pairs for p in module.parameters()]
        torch._foreach_lerp_(ema_params, params, 1.0 - self.momentum)
        buffers = [b for _, module in pairs for b in module.buffers()]
        if buffers:
            torch._foreach_copy_([b for ema, _ in pairs for b in ema.buffers()], buffers)

    def before_loss(self, online: Dict[str, nn.Module]) -> None:
        """The in-loss EMA, when this teacher updates in the loss and the iteration starts an optimizer step."""
        if self.update_at == 'in_loss' and self._ema_due:
            self.ema(online)

    @torch.no_grad()
    def encode(self, views: List[torch.Tensor]) -> EncodedViews:
        """The teacher's tokens of ``views`` (the global views) through its backbone, without gradient."""
        return encode_views(self['backbone'], views)


__all__ = ['MomentumTeacher', 'UPDATES']
