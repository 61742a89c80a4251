"""CL-EDI: Contrastive Learning with Enhancing Detailed Information."""
import copy
import math
import re
from typing import Dict, List, Literal, Optional, Union

import torch
import torch.nn as nn
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.structures import DataSample

from cledi.models.detail import DetailInputs, EncodedViews, GlobalSpace
from cledi.registry import MODELS

MOMENTUM_UPDATES = ('in_loss', 'after_step')
# checkpoints written before the detail module became a part (cledi <= 7286be4): online keys moved under `detail.`
LEGACY_KEYS = [(re.compile(r'^detail_aggregator\.gem_p$'), 'detail.pool.p'),
               (re.compile(r'^detail_aggregator\.'), 'detail.pool.'),
               (re.compile(r'^detail_(neck|head|backbone)\.'), r'detail.\1.')]


def upgrade_state_dict(state_dict: dict, prefix: str = '') -> dict:
    """Rename the keys of a pre-part CL-EDI checkpoint in place (``detail_neck.*`` -> ``detail.neck.*``, ...).

    The momentum encoder's keys did not change (``momentum_encoder.detail_neck.*``), except GeM's exponent."""
    for key in list(state_dict):
        if not key.startswith(prefix):
            continue
        name = key[len(prefix):]
        name = re.sub(r'^momentum_encoder\.detail_aggregator\.gem_p$', 'momentum_encoder.detail_aggregator.p', name)
        for pattern, replacement in LEGACY_KEYS:
            if pattern.match(name):
                name = pattern.sub(replacement, name)
                break
        if prefix + name != key:
            state_dict[prefix + name] = state_dict.pop(key)
    return state_dict


def _build(cfg: Union[dict, nn.Module, None], **defaults) -> Optional[nn.Module]:
    if cfg is None or isinstance(cfg, nn.Module):
        return cfg
    return MODELS.build(cfg, default_args=defaults or None)


@MODELS.register_module()
class CLEDI(BaseSelfSupervisor):
    """CL-EDI pre-training of a ViT: a MoCo v3 global module on the CLS token plus a detail part on the patch tokens.

    For the views of each image (two global views first, then any local views of a multi-crop recipe), with ``f``
    the online ViT and ``f~`` its momentum copy (which sees the global views only):

    - global module (MoCo v3): ``q_v = head(neck(cls(f(v))))`` for every view against ``k_g = neck~(cls(f~(g)))``
      of every other global view, ``L_global = 2 * mean_{v != g} InfoNCE(q_v, k_g)`` (two views: MoCo v3's
      ``InfoNCE(q1, k2) + InfoNCE(q2, k1)`` exactly);
    - detail part (``detail``, a registered part, e.g. ``cledi.GlobalDetail``: pooled patch tokens contrasted the
      same way; ``cledi.RegionDetail``: location-matched regions; see ``cledi/models/detail/``), ``None``: MoCo v3
      (no detail branch is built);
    - cross-level terms (``cross``, e.g. ``cledi.CrossLevel``), optional: CLS against detail vectors.

    ``loss = L_global + L_detail (+ L_cross)``, the part's losses already weighted. One momentum encoder holds the
    EMA of every online module that makes keys (backbone, projector, and each part's ``key_modules()`` under
    ``detail_<name>``); predictors have no momentum copy.

    Args:
        backbone (dict): Online ViT returning raw token sequences (``out_type='raw'``).
        neck (dict): Global projector (CLS -> projection), e.g. ``mmpretrain.NonLinearNeck``.
        head (dict): Global predictor + InfoNCE, ``cledi.InfoNCEHead``.
        detail (dict, optional): The detail part; built with ``global_neck`` / ``global_head`` (this model's
            ``neck`` / ``head`` configs, the defaults of its own projector / predictor) and ``in_channels`` (the
            backbone's width). None: no detail module (MoCo v3). Defaults to None.
        cross (dict, optional): A cross-level loss part. Defaults to None.
        base_momentum (float): EMA momentum at the start of training; ``cledi.CosineMomentumHook`` raises it to 1
            along a cosine over training. Defaults to 0.99.
        momentum_update (str): When the EMA runs, once per optimizer step: ``'in_loss'`` (MoCo v3: at the start of
            the loss) or ``'after_step'`` (by ``cledi.CosineMomentumHook`` after the optimizer step, outside
            forward, where a sharded (FSDP) model can gather its full weights). The same arithmetic; the BatchNorm
            statistics copied into the momentum encoder lag one forward pass in both (keys are made in train mode,
            so no loss depends on them). Defaults to ``'in_loss'``.
        pretrained (str, optional): Checkpoint to initialise from. Defaults to None.
        data_preprocessor (dict, optional): Defaults to ``SelfSupDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 detail: Optional[dict] = None,
                 cross: Optional[dict] = None,
                 base_momentum: float = 0.99,
                 momentum_update: Literal['in_loss', 'after_step'] = 'in_loss',
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        part_defaults = dict(global_neck=copy.deepcopy(neck), global_head=copy.deepcopy(head))
        super().__init__(backbone=backbone, neck=neck, head=head, pretrained=pretrained,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if not 0.0 <= base_momentum <= 1.0:
            raise ValueError(f'base_momentum must be in [0, 1], got {base_momentum}')
        if momentum_update not in MOMENTUM_UPDATES:
            raise ValueError(f'momentum_update {momentum_update!r} is not one of {MOMENTUM_UPDATES}')
        if cross is not None and detail is None:
            raise ValueError('cross-level terms contrast CLS with detail vectors: set a detail part too')
        self.detail = _build(detail, in_channels=self.backbone.embed_dims, **part_defaults)
        self.cross = _build(cross)
        self.base_momentum = self.momentum = base_momentum
        self.momentum_update = momentum_update
        self.progress = 1.0  # of training; set with the momentum each iteration (a model used alone: full weights)
        # whether the in-loss EMA runs in this forward: cledi.CosineMomentumHook makes it False for the later
        # micro-batches of an accumulation group (one EMA per optimizer step); True when the model is used alone
        self.ema_due = True
        self.momentum_encoder = nn.ModuleDict(
            {name: copy.deepcopy(module) for name, module in self.key_modules().items()})
        self.momentum_encoder.requires_grad_(False)
        self._register_load_state_dict_pre_hook(
            lambda state_dict, prefix, *args: upgrade_state_dict(state_dict, prefix))

    def key_modules(self) -> Dict[str, nn.Module]:
        """The online modules that make keys, by their name in the momentum encoder."""
        modules = dict(backbone=self.backbone, neck=self.neck)
        if self.detail is not None:
            modules.update({f'detail_{name}': module for name, module in self.detail.key_modules().items()})
        return modules

    def init_weights(self) -> None:
        """Initialise the online modules, then start the momentum encoder as an exact copy of them."""
        super().init_weights()
        for name, module in self.key_modules().items():
            self.momentum_encoder[name].load_state_dict(module.state_dict())

    def set_momentum(self, cur_iter: int, max_iters: int) -> float:
        """Cosine momentum schedule ``m = 1 - (1 - m0) * (cos(pi * k / K) + 1) / 2`` (MoCo v3, BYOL)."""
        self.progress = min(max(cur_iter / max(max_iters, 1), 0.0), 1.0)
        self.momentum = 1.0 - (1.0 - self.base_momentum) * (math.cos(math.pi * self.progress) + 1.0) / 2.0
        return self.momentum

    @torch.no_grad()
    def _momentum_update(self) -> None:
        """``ema = m * ema + (1 - m) * online`` for every parameter (one fused call); buffers are copied."""
        pairs = [(self.momentum_encoder[name], module) for name, module in self.key_modules().items()]
        ema_params = [p for ema, _ in pairs for p in ema.parameters()]
        params = [p.detach() for _, module in pairs for p in module.parameters()]
        torch._foreach_lerp_(ema_params, params, 1.0 - self.momentum)
        buffers = [b for _, module in pairs for b in module.buffers()]
        if buffers:
            torch._foreach_copy_([b for ema, _ in pairs for b in ema.buffers()], buffers)

    def encode(self, backbone: nn.Module, views: List[torch.Tensor]) -> EncodedViews:
        """Views through one backbone; local views of one size go through it as one batch."""
        outs = [None] * len(views)
        sizes = {}
        for index, view in enumerate(views):
            sizes.setdefault(tuple(view.shape[-2:]), []).append(index)
        for size, indices in sizes.items():
            if len(indices) > 1 and indices[0] >= 2:  # local views: one pass, split per view
                batched = backbone(torch.cat([views[i] for i in indices]))
                for offset, index in enumerate(indices):
                    outs[index] = tuple(out.chunk(len(indices))[offset] for out in batched)
            else:
                for index in indices:
                    outs[index] = tuple(backbone(views[index]))
        patch = backbone.patch_size
        grids = [(view.shape[-2] // patch, view.shape[-1] // patch) for view in views]
        return EncodedViews(list(views), outs, grids, backbone.num_extra_tokens)

    @staticmethod
    def geometry(data_samples: Optional[List[DataSample]]):
        """Crop boxes (B, V, 4) and flips (B, V) of the views from the data samples, or None."""
        if not data_samples or 'crop_boxes' not in data_samples[0] or 'flips' not in data_samples[0]:
            return None
        return (torch.stack([sample.crop_boxes for sample in data_samples]),
                torch.stack([sample.flips for sample in data_samples]))

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample], **kwargs) -> Dict[str, torch.Tensor]:
        """The losses of two global views (and any local views) per image: ``loss_global``, then the detail
        part's (``loss_detail``, already weighted) and the cross-level part's (``loss_cross``)."""
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError('CLEDI needs two global views per image (and optionally local views after them): use a '
                             'MultiView transform with num_views=[1, 1] or cledi.MultiViewPreprocessor (got '
                             f'{type(inputs).__name__} of length {len(inputs) if isinstance(inputs, (list, tuple)) else 1})')
        if self.momentum_update == 'in_loss' and self.ema_due:
            self._momentum_update()
        online = self.encode(self.backbone, inputs)
        with torch.no_grad():
            momentum = self.encode(self.momentum_encoder['backbone'], inputs[:2])
            keys = [self.momentum_encoder['neck']((momentum.cls(view), ))[0] for view in range(2)]
        queries = [self.head.predict(self.neck((online.cls(view), ))[0]) for view in range(len(inputs))]
        losses = dict(loss_global=self.head.contrast(queries, keys))
        if self.detail is None:
            return losses
        part_momentum = {name: self.momentum_encoder[f'detail_{name}'] for name in self.detail.key_modules()}
        global_space = GlobalSpace(self.neck, self.head, self.momentum_encoder['neck'])
        detail = self.detail(DetailInputs(online, momentum, part_momentum, global_space, self.geometry(data_samples),
                                          self.progress, need_vectors=self.cross is not None))
        losses.update(detail.losses)
        if self.cross is not None:
            losses.update(self.cross(queries, keys, self.head, detail, self.progress))
        return losses
