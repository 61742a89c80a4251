"""iBOT's patch term as a detail part: masked patch tokens of the student self-distilled from the teacher's."""
import copy
import random
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from cledi.models.heads import DINOHead
from cledi.models.utils import build_module, sample_masks
from cledi.registry import MODELS
from .base import DetailInputs, DetailOutput, DetailPart


@MODELS.register_module()
class MaskedPatchDistill(DetailPart):
    """iBOT's masked image modelling by self-distillation (Zhou et al. 2022), beside a DINO objective on the CLS
    token (``head=dict(type='cledi.DINOHead')``): the student sees its global views with block-wise masked patches
    (each image masked with ``mask_probability``, a ratio drawn in ``mask_ratio`` of its patches, replaced by a learnt
    mask token); the teacher sees them whole. At the masked positions ``n`` of global view ``g``:

        p_gn = softmax((neck~(t_gn) - c_p) / T_t)          the teacher's patch token, centred with its own centre
        L_patch = mean_g mean_batch( sum_{n masked} -sum_k p_gn[k] log softmax(neck(s_gn) / T_s)[k] / #masked )

    ``shared_neck=True`` (iBOT's released recipe) projects the patch tokens with the global neck (and the teacher's
    copy of it), else with an own neck of its architecture; the head (temperatures, patch centre ``c_p``) is the
    part's own, a ``cledi.DINOHead`` (by default the global head's config). Only the masked positions go through
    the neck, and the centre follows the teacher's outputs there (iBOT centres over all patches). With no masked
    patch (``mask_probability=0``), nothing is drawn or computed and the loss is 0: the model is DINO.

    Args:
        mask_ratio (tuple): Range of the share of masked patches of a masked image. Defaults to (0.1, 0.5).
        mask_probability (float): Share of the images whose global views are masked. Defaults to 0.5.
        shared_neck (bool): Project patch tokens with the global neck. Defaults to True.
        neck (dict, optional): Own projector (``shared_neck=False``). Defaults to the global neck's config.
        head (dict, optional): The patch objective, a ``cledi.DINOHead``. Defaults to the global head's config.
        loss_weight (float): lambda of the patch term. Defaults to 1.0.
        warmup (float): Fraction of training over which lambda rises from 0. Defaults to 0.0.
    """

    def __init__(self,
                 mask_ratio: Sequence[float] = (0.1, 0.5),
                 mask_probability: float = 0.5,
                 shared_neck: bool = True,
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 loss_weight: float = 1.0,
                 warmup: float = 0.0,
                 global_neck: Optional[dict] = None,
                 global_head: Optional[dict] = None,
                 in_channels: Optional[int] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(loss_weight, warmup, init_cfg=init_cfg)
        if not 0.0 <= mask_ratio[0] <= mask_ratio[1] <= 1.0 or not 0.0 <= mask_probability <= 1.0:
            raise ValueError(f'MaskedPatchDistill: mask_ratio must be a range in [0, 1] and mask_probability in '
                             f'[0, 1], got {mask_ratio} and {mask_probability}')
        if shared_neck and neck is not None:
            raise ValueError('MaskedPatchDistill: shared_neck=True projects with the global neck: drop neck')
        self.mask_ratio = tuple(mask_ratio)
        self.mask_probability = mask_probability
        self.shared_neck = shared_neck
        self.mask_token = nn.Parameter(torch.zeros(in_channels))
        if not shared_neck:
            self.neck = build_module(copy.deepcopy(global_neck) if neck is None else neck)
        self.head = build_module(copy.deepcopy(global_head) if head is None else head)
        if not isinstance(self.head, DINOHead):
            raise ValueError(f'MaskedPatchDistill distils with a cledi.DINOHead (its temperatures and patch centre), '
                             f'not {type(self.head).__name__}: give it head=dict(type=\'cledi.DINOHead\', ...)')

    def student_masks(self, views: List[torch.Tensor], patch_size: int):
        if self.mask_probability == 0 or self.mask_ratio[1] == 0:
            return None  # no masking: no random number drawn either
        rng = random.Random(int(torch.randint(2**31 - 1, (1, ))))  # from torch's seeded, checkpointed generator
        masks = [sample_masks(view.shape[0], (view.shape[-2] // patch_size, view.shape[-1] // patch_size),
                              self.mask_ratio, self.mask_probability, rng).to(view.device) for view in views]
        return masks, self.mask_token

    def forward(self, inputs: DetailInputs) -> DetailOutput:
        weight = self.weight(inputs.progress)
        if inputs.masks is None:  # masking off (mask_probability 0): on every process alike
            return DetailOutput(dict(loss_detail=self.mask_token.sum() * 0))
        neck = inputs.global_space.neck if self.shared_neck else self.neck
        momentum_neck = inputs.global_space.momentum_neck if self.shared_neck else inputs.momentum_modules['neck']
        terms, keys = [], []
        for view, mask in enumerate(inputs.masks):
            students = neck((inputs.online.patches(view)[mask], ))[0]  # (masked, C) -> (masked, K)
            with torch.no_grad():
                keys.append(momentum_neck((inputs.momentum.patches(view)[mask], ))[0])
            target = self.head.targets(keys[-1:], inputs.progress)[0]
            ce = torch.sum(-target * F.log_softmax(students / self.head.student_temperature, dim=-1), dim=-1)
            per_image = torch.zeros(mask.shape[0], device=ce.device, dtype=ce.dtype).index_add_(
                0, mask.nonzero()[:, 0], ce) / mask.sum(dim=1).clamp(min=1)
            terms.append(per_image.mean())
        if self.training:  # on every process, also one that drew no masked patch (the centre is all-reduced)
            self.head.update_center(keys)
        return DetailOutput(dict(loss_detail=weight * torch.stack(terms).mean()))
