"""DINO's objective: the student's softmax matches the teacher's centred, sharpened softmax."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.dist import all_reduce

from cledi.registry import MODELS
from .objective import ObjectiveHead


def teacher_temperature(progress: float, start: float, end: float, warmup: float) -> float:
    """The teacher's temperature: linear from ``start`` to ``end`` over the first ``warmup`` of training, then
    ``end`` (DINO: 0.04 -> 0.07 over 30 of 100 epochs)."""
    return end if warmup <= 0 or progress >= warmup else start + (end - start) * progress / warmup


def distillation_loss(student: Sequence[torch.Tensor], teachers: Sequence[torch.Tensor],
                      student_temperature: float) -> torch.Tensor:
    """DINO's loss over the pairs of different views: the mean over pairs ``v != g`` of
    ``mean_batch(-sum_k p_g[k] log softmax(s_v / T_s)[k])``.

    Args:
        student (Sequence[Tensor]): (B, K) student outputs per view, global views first.
        teachers (Sequence[Tensor]): (B, K) teacher probabilities per global view (centred, sharpened, no grad).
        student_temperature (float): T_s.
    """
    terms = [torch.sum(-target * F.log_softmax(out / student_temperature, dim=-1), dim=-1).mean()
             for v, out in enumerate(student) for g, target in enumerate(teachers) if v != g]
    if not terms:
        raise ValueError(f'no pair of different views: {len(student)} student views, {len(teachers)} teacher views')
    return torch.stack(terms).mean()


@MODELS.register_module()
class DINOHead(ObjectiveHead):
    """DINO's self-distillation objective over two or more views (the queries are the student's outputs as they
    are; the keys the teacher's, on the global views only):

        p_g = softmax((t_g - c) / T_t)                   centred with c, sharpened by the teacher temperature T_t
        L = mean_{v != g} mean_batch( -sum_k p_g[k] log softmax(s_v / T_s)[k] )
        c <- m c + (1 - m) mean_{batch, global views, processes}(t_g)      after each training loss

    ``T_t`` rises linearly from ``teacher_warmup_temperature`` to ``teacher_temperature`` over the first
    ``teacher_warmup`` of training (a fraction, per iteration; DINO steps it per epoch). The centre is a buffer
    (``center``), saved and resumed with the model.

    Args:
        out_channels (int): K, the width of the neck's outputs.
        student_temperature (float): T_s. Defaults to 0.1.
        teacher_temperature (float): T_t after the warm-up. Defaults to 0.07.
        teacher_warmup_temperature (float): T_t at the start. Defaults to 0.04.
        teacher_warmup (float): Fraction of training of the T_t warm-up. Defaults to 0.3 (30 of 100 epochs).
        center_momentum (float): m. Defaults to 0.9.
    """

    def __init__(self, out_channels: int, student_temperature: float = 0.1, teacher_temperature: float = 0.07,
                 teacher_warmup_temperature: float = 0.04, teacher_warmup: float = 0.3,
                 center_momentum: float = 0.9, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if min(student_temperature, teacher_temperature, teacher_warmup_temperature) <= 0:
            raise ValueError('DINOHead: temperatures must be > 0, got '
                             f'{student_temperature}, {teacher_temperature}, {teacher_warmup_temperature}')
        if not 0.0 <= teacher_warmup <= 1.0 or not 0.0 <= center_momentum < 1.0:
            raise ValueError(f'DINOHead: teacher_warmup is a fraction of training in [0, 1] and center_momentum in '
                             f'[0, 1), got {teacher_warmup} and {center_momentum}')
        self.student_temperature = student_temperature
        self.temperatures = (teacher_warmup_temperature, teacher_temperature, teacher_warmup)
        self.center_momentum = center_momentum
        self.register_buffer('center', torch.zeros(1, out_channels))

    def targets(self, keys: Sequence[torch.Tensor], progress: float) -> list:
        """The teacher's probabilities of each global view: softmax((t - c) / T_t), (B, K) each."""
        temperature = teacher_temperature(progress, *self.temperatures)
        return [F.softmax((key.detach() - self.center) / temperature, dim=-1) for key in keys]

    @torch.no_grad()
    def update_center(self, keys: Sequence[torch.Tensor]) -> None:
        """``c <- m c + (1 - m) * mean of the teacher outputs`` over the batch, the global views and the processes."""
        total = torch.cat(list(keys)).float().sum(dim=0, keepdim=True)
        count = torch.tensor(float(sum(len(key) for key in keys)), device=total.device)
        all_reduce(total, op='sum')
        all_reduce(count, op='sum')
        if count > 0:  # (iBOT's patch centre: no process drew a masked patch)
            self.center.mul_(self.center_momentum).add_(total / count * (1 - self.center_momentum))

    def contrast(self, queries: Sequence[torch.Tensor], keys: Sequence[torch.Tensor],
                 progress: float = 1.0) -> torch.Tensor:
        loss = distillation_loss(queries, self.targets(keys, progress), self.student_temperature)
        if self.training:
            self.update_center(keys)
        return loss


__all__ = ['DINOHead', 'distillation_loss', 'teacher_temperature']
