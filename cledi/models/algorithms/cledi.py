"""CL-EDI: Contrastive Learning with Enhancing Detailed Information."""
import copy
import math
from typing import Dict, List, Literal, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.structures import DataSample

from cledi.models.heads import infonce_loss
from cledi.models.utils import matched_regions, pool_regions
from cledi.registry import MODELS

DETAIL_MODES = ('global', 'region')
CROSS_TERMS = ('both', 'cls', 'detail')
MOMENTUM_UPDATES = ('in_loss', 'after_step')


def _build(cfg: Union[dict, nn.Module]) -> nn.Module:
    return cfg if isinstance(cfg, nn.Module) else MODELS.build(cfg)


@MODELS.register_module()
class CLEDI(BaseSelfSupervisor):
    """CL-EDI pre-training of a ViT: a MoCo v3 global module plus a detail module on the patch tokens.

    For two augmented views ``v1, v2`` of each image, with ``f`` the online ViT and ``f~`` its momentum copy:

    - global module: ``q = head(neck(cls(f(v))))`` vs ``k = neck~(cls(f~(v')))`` (MoCo v3);
    - detail module: ``q_d = detail_head(detail_neck(agg(patches(f(v)))))`` vs
      ``k_d = detail_neck~(agg~(patches(f~(v'))))``;
    - ``loss = L_global + lambda * L_detail (+ lambda_cross * L_cross)``, each InfoNCE summed over both
      directions (v1->v2, v2->v1).

    One momentum encoder holds the EMA of every online path used to make keys (backbone, projector, aggregator,
    detail projector, and the detail backbone when it is separate); predictors have no momentum copy.

    Design choices the paper leaves open (see docs/method.md for the measurements behind the defaults):

    - aggregator: a registered neck, ``cledi.PatchAggregator`` with ``mode`` in mean / gem / attn;
    - where the patch tokens are taken: ``detail_out_index`` picks one of the backbone's ``out_indices``
      outputs (default: the last, i.e. the final-normed tokens of the last block, the same pass as the CLS);
    - shared or separate detail backbone: ``detail_backbone=None`` shares the backbone (default: then the patch
      tokens of the transferred backbone are trained directly, and the detail module costs one small MLP);
      a dict builds a second ViT for the detail module only;
    - ``loss_weight_detail`` (lambda) and ``detail_head.temperature`` are config options;
    - ``detail_local_window``: the online detail vector aggregates only a random ``w x w`` window of the patch
      grid (one window per image), while the momentum key aggregates all patches of the other view: a
      local-to-global match in token space, like DINO's local crops but at no extra forward cost. ``None``
      (default) aggregates all patches on both sides;
    - ``detail_mode='region'``: location-matched detail. The overlap of the two views (from the crop boxes and
      flips the fast data path records) is cut into ``region_grid x region_grid`` regions; region ``k`` pooled
      from view 1's patch tokens (RoIAlign mean) is contrasted with region ``k`` of view 2's momentum tokens, the
      other regions of all images being negatives. A pair overlapping less than ``region_min_overlap`` of either
      view falls back to one whole-view vector (the mean of all patches). The aggregator then serves only the
      cross-level terms. ``'global'`` (default) is one aggregated vector per view;
    - cross-level terms (``loss_weight_cross`` > 0): the CLS query of one view against the other view's detail
      key (``cross_terms='cls'``: the CLS token must agree with the other view's details), the detail query
      against the other view's CLS key (``'detail'``), or both. Keys come from the momentum encoder, so each
      term teaches only its query side. The global and detail projections must have the same width;
    - ``detail_warmup``: the fraction of training over which lambda and lambda_cross rise linearly from 0 (the
      detail loss slows the CLS token down early in training). 0 (default): constant weights.

    Args:
        backbone (dict): Online ViT; must return raw token sequences (``out_type='raw'``).
        neck (dict): Global projector (CLS -> projection), e.g. ``mmpretrain.NonLinearNeck``.
        head (dict): Global predictor + InfoNCE, ``cledi.InfoNCEHead``.
        detail_aggregator (dict, optional): Patch aggregator. Defaults to ``cledi.PatchAggregator`` in ``'mean'``
            mode; its ``in_channels`` defaults to the backbone's width.
        detail_neck (dict, optional): Detail projector. Defaults to the architecture of ``neck`` (own weights).
        detail_head (dict, optional): Detail predictor + InfoNCE (its own temperature). Defaults to the
            architecture of ``head`` (own weights).
        loss_weight_detail (float): lambda. Defaults to 1.0.
        base_momentum (float): EMA momentum at the start of training; ``cledi.CosineMomentumHook`` raises it to
            1 along a cosine over training. Defaults to 0.99.
        global_out_index (int): Which backbone output the CLS token is taken from. Defaults to -1.
        detail_out_index (int): Which backbone output the patch tokens are taken from. Defaults to -1.
        detail_backbone (dict, optional): A separate ViT for the detail module. Defaults to None (shared).
        detail_local_window (int, optional): Side, in patches, of the random window the online detail vector
            pools over. Defaults to None (all patches).
        detail_mode (str): ``'global'`` or ``'region'``. Defaults to ``'global'``.
        region_grid (int): Regions per side of the views' overlap in region mode. Defaults to 2.
        region_min_overlap (float): Smallest fraction of each view that the overlap must cover to be cut into
            regions. Defaults to 0.2.
        loss_weight_cross (float): lambda_cross. Defaults to 0.0 (no cross-level terms).
        cross_terms (str): ``'both'``, ``'cls'`` or ``'detail'``: which queries the cross-level terms train.
            Defaults to ``'both'``.
        detail_warmup (float): Fraction of training over which the detail and cross weights ramp up from 0.
            Defaults to 0.0.
        momentum_update (str): When the EMA runs: ``'in_loss'`` (MoCo v3: at the start of each loss, before the
            keys) or ``'after_step'`` (by ``cledi.CosineMomentumHook`` after each optimizer step, with the next
            iteration's momentum: the same arithmetic, but outside forward, where a sharded (FSDP) model can
            gather its full weights; the BatchNorm statistics copied into the momentum encoder then lag one
            forward pass, which changes no loss: keys are made in train mode). Defaults to ``'in_loss'``.
        pretrained (str, optional): Checkpoint to initialise from. Defaults to None.
        data_preprocessor (dict, optional): Defaults to ``SelfSupDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 detail_aggregator: Optional[dict] = None,
                 detail_neck: Optional[dict] = None,
                 detail_head: Optional[dict] = None,
                 loss_weight_detail: float = 1.0,
                 base_momentum: float = 0.99,
                 global_out_index: int = -1,
                 detail_out_index: int = -1,
                 detail_backbone: Optional[dict] = None,
                 detail_local_window: Optional[int] = None,
                 detail_mode: Literal['global', 'region'] = 'global',
                 region_grid: int = 2,
                 region_min_overlap: float = 0.2,
                 loss_weight_cross: float = 0.0,
                 cross_terms: Literal['both', 'cls', 'detail'] = 'both',
                 detail_warmup: float = 0.0,
                 momentum_update: Literal['in_loss', 'after_step'] = 'in_loss',
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        # the detail module's projector and predictor default to the global module's architecture (own weights)
        detail_neck = copy.deepcopy(neck) if detail_neck is None else detail_neck
        detail_head = copy.deepcopy(head) if detail_head is None else detail_head
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            pretrained=pretrained,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        if loss_weight_detail < 0:
            raise ValueError(f'loss_weight_detail (lambda) must be >= 0, got {loss_weight_detail}')
        if not 0.0 <= base_momentum <= 1.0:
            raise ValueError(f'base_momentum must be in [0, 1], got {base_momentum}')
        if detail_aggregator is None:
            detail_aggregator = dict(type='cledi.PatchAggregator', mode='mean')
        if isinstance(detail_aggregator, dict) and detail_aggregator.get('in_channels') is None:
            detail_aggregator = dict(detail_aggregator, in_channels=self.backbone.embed_dims)
        self.detail_aggregator = _build(detail_aggregator)
        self.detail_neck = _build(detail_neck)
        self.detail_head = _build(detail_head)
        self.detail_backbone = None if detail_backbone is None else _build(detail_backbone)
        self.loss_weight_detail = loss_weight_detail
        self.base_momentum = base_momentum
        self.momentum = base_momentum
        self.global_out_index = global_out_index
        self.detail_out_index = detail_out_index
        if detail_local_window is not None and detail_local_window < 1:
            raise ValueError(f'detail_local_window must be None or a window side >= 1, got {detail_local_window}')
        self.detail_local_window = detail_local_window
        if detail_mode not in DETAIL_MODES:
            raise ValueError(f'detail_mode {detail_mode!r} is not one of {DETAIL_MODES}')
        if detail_mode == 'region' and detail_local_window is not None:
            raise ValueError("detail_local_window is for detail_mode='global'; region mode already pools parts "
                             'of the views (set one of them)')
        if region_grid < 1 or not 0.0 <= region_min_overlap <= 1.0:
            raise ValueError(f'region_grid must be >= 1 and region_min_overlap in [0, 1], got {region_grid} and '
                             f'{region_min_overlap}')
        if loss_weight_cross < 0:
            raise ValueError(f'loss_weight_cross (lambda_cross) must be >= 0, got {loss_weight_cross}')
        if cross_terms not in CROSS_TERMS:
            raise ValueError(f'cross_terms {cross_terms!r} is not one of {CROSS_TERMS}')
        if not 0.0 <= detail_warmup <= 1.0:
            raise ValueError(f'detail_warmup is a fraction of training in [0, 1], got {detail_warmup}')
        self.detail_mode = detail_mode
        self.region_grid = region_grid
        self.region_min_overlap = region_min_overlap
        self.loss_weight_cross = loss_weight_cross
        self.cross_terms = cross_terms
        self.detail_warmup = detail_warmup
        if momentum_update not in MOMENTUM_UPDATES:
            raise ValueError(f'momentum_update {momentum_update!r} is not one of {MOMENTUM_UPDATES}')
        self.momentum_update = momentum_update
        self.progress = 1.0  # of training; set with the momentum each iteration (a model used alone: full weights)

        # One momentum encoder: the EMA of every online module that makes keys (predictors excluded).
        self.momentum_encoder = nn.ModuleDict(
            {name: copy.deepcopy(module)
             for name, module in self._key_modules().items()})
        self.momentum_encoder.requires_grad_(False)

    def _key_modules(self) -> Dict[str, nn.Module]:
        modules = dict(
            backbone=self.backbone,
            neck=self.neck,
            detail_aggregator=self.detail_aggregator,
            detail_neck=self.detail_neck)
        if self.detail_backbone is not None:
            modules['detail_backbone'] = self.detail_backbone
        return modules

    def init_weights(self) -> None:
        """Initialise the online modules, then start the momentum encoder as an exact copy of them."""
        super().init_weights()
        for name, module in self._key_modules().items():
            self.momentum_encoder[name].load_state_dict(module.state_dict())

    def set_momentum(self, cur_iter: int, max_iters: int) -> float:
        """Cosine momentum schedule ``m = 1 - (1 - m0) * (cos(pi * k / K) + 1) / 2`` (MoCo v3, BYOL)."""
        progress = min(max(cur_iter / max(max_iters, 1), 0.0), 1.0)
        self.progress = progress
        self.momentum = 1.0 - (1.0 - self.base_momentum) * (math.cos(math.pi * progress) + 1.0) / 2.0
        return self.momentum

    @torch.no_grad()
    def _momentum_update(self) -> None:
        """``ema = m * ema + (1 - m) * online`` for every parameter (one fused call); buffers are copied."""
        ema_params, params, ema_buffers, buffers = [], [], [], []
        for name, module in self._key_modules().items():
            ema_params += list(self.momentum_encoder[name].parameters())
            params += [p.detach() for p in module.parameters()]
            ema_buffers += list(self.momentum_encoder[name].buffers())
            buffers += list(module.buffers())
        torch._foreach_lerp_(ema_params, params, 1.0 - self.momentum)
        if buffers:
            torch._foreach_copy_(ema_buffers, buffers)

    def _local_window(self, patch_tokens: torch.Tensor) -> torch.Tensor:
        """A random ``w x w`` window of the (square) patch grid per image: (B, N, C) -> (B, w * w, C)."""
        batch, num_patches, channels = patch_tokens.shape
        side = math.isqrt(num_patches)
        window = self.detail_local_window
        if side * side != num_patches or window > side:
            raise ValueError(f'detail_local_window={window} needs a square patch grid at least that wide; got '
                             f'{num_patches} patch tokens')
        top = torch.randint(0, side - window + 1, (batch, 1, 1), device=patch_tokens.device)
        left = torch.randint(0, side - window + 1, (batch, 1, 1), device=patch_tokens.device)
        offsets = torch.arange(window, device=patch_tokens.device)
        index = ((top + offsets.view(1, -1, 1)) * side + left + offsets.view(1, 1, -1)).flatten(1)  # (B, w*w)
        return patch_tokens.gather(1, index.unsqueeze(-1).expand(-1, -1, channels))

    def _tokens(self, modules, view: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """One view through one encoder (online or momentum): CLS token (B, C) and patch tokens (B, N, C)."""
        outs = modules['backbone'](view)
        cls_token, _ = modules['backbone'].split_tokens(outs[self.global_out_index])  # (B, 1 + N, C) -> (B, C)
        detail_backbone = modules['detail_backbone'] if 'detail_backbone' in modules else modules['backbone']
        if 'detail_backbone' in modules:
            outs = detail_backbone(view)
        _, patch_tokens = detail_backbone.split_tokens(outs[self.detail_out_index])  # (B, 1 + N, C) -> (B, N, C)
        return cls_token, patch_tokens

    def _detail_vector(self, modules, patch_tokens: torch.Tensor, online: bool = False) -> torch.Tensor:
        """Aggregated patch tokens, projected: (B, N, C) -> (B, D); the online side may see a local window."""
        if online and self.detail_local_window is not None:
            patch_tokens = self._local_window(patch_tokens)
        return modules['detail_neck']((modules['detail_aggregator'](patch_tokens), ))[0]

    def _region_vectors(self, modules, patch_tokens: torch.Tensor, boxes: torch.Tensor) -> torch.Tensor:
        """Patch tokens pooled in each region box, projected: (B, N, C), boxes (B, R, 4) -> (B * R, D)."""
        regions = pool_regions(patch_tokens, boxes, self._grid_hw(patch_tokens))  # (B, R, C)
        return modules['detail_neck']((regions.flatten(0, 1), ))[0]

    @staticmethod
    def _grid_hw(patch_tokens: torch.Tensor) -> Tuple[int, int]:
        side = math.isqrt(patch_tokens.shape[1])
        if side * side != patch_tokens.shape[1]:
            raise ValueError(f"detail_mode='region' needs a square patch grid, got {patch_tokens.shape[1]} tokens")
        return side, side

    def _matched_regions(self, data_samples: List[DataSample],
                         patch_tokens: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Region boxes of both views (B, 2, R, 4), valid (B, R) and matched (B,) from the samples' geometry."""
        if not data_samples or 'crop_boxes' not in data_samples[0] or 'flips' not in data_samples[0]:
            raise ValueError("detail_mode='region' needs each view's crop box and flip in the data samples: use "
                             "data_preprocessor=dict(type='cledi.TwoViewPreprocessor', ...), the fast data path of "
                             'configs/_base_/datasets/cifar10_folder.py; the PIL pipeline does not record them')
        crop_boxes = torch.stack([sample.crop_boxes for sample in data_samples]).to(patch_tokens.device)
        flips = torch.stack([sample.flips for sample in data_samples]).to(patch_tokens.device)
        return matched_regions(crop_boxes, flips, self._grid_hw(patch_tokens), self.region_grid,
                               self.region_min_overlap)

    def detail_ramp(self) -> float:
        """The factor on lambda and lambda_cross: ``min(1, progress / detail_warmup)`` (1 without warm-up)."""
        return 1.0 if self.detail_warmup == 0 else min(1.0, self.progress / self.detail_warmup)

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Both contrastive losses (and the cross-level terms when enabled) for two views.

        Returns:
            dict: ``loss_global``, ``loss_detail`` (already multiplied by lambda) and, with cross-level terms,
            ``loss_cross`` (times lambda_cross); MMEngine sums them. Region mode also logs ``region_matched``,
            the fraction of pairs cut into regions.
        """
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError('CLEDI needs exactly two views per image; use a MultiView transform with '
                             f'num_views=[1, 1] in the training pipeline (got {type(inputs).__name__} '
                             f'of length {len(inputs) if isinstance(inputs, (list, tuple)) else 1})')
        online, momentum = self._key_modules(), self.momentum_encoder
        region_mode = self.detail_mode == 'region'
        global_detail = not region_mode or self.loss_weight_cross > 0  # the aggregated detail vector is used
        (cls1, patches1), (cls2, patches2) = self._tokens(online, inputs[0]), self._tokens(online, inputs[1])
        if region_mode:
            boxes, valid, matched = self._matched_regions(data_samples, patches1)

        # queries: the online side, all projections made before the EMA reads (and copies buffers from) it
        proj1, proj2 = self.neck((cls1, ))[0], self.neck((cls2, ))[0]
        if global_detail:
            detail1, detail2 = (self._detail_vector(online, patches, online=True) for patches in (patches1, patches2))
        if region_mode:
            region1, region2 = (self._region_vectors(online, patches, boxes[:, view])
                                for view, patches in ((0, patches1), (1, patches2)))

        # keys: the momentum encoder (after its EMA step, MoCo v3's order)
        with torch.no_grad():
            if self.momentum_update == 'in_loss':
                self._momentum_update()
            key_cls1, key_patches1 = self._tokens(momentum, inputs[0])
            key_cls2, key_patches2 = self._tokens(momentum, inputs[1])
            k1, k2 = momentum['neck']((key_cls1, ))[0], momentum['neck']((key_cls2, ))[0]
            if global_detail:
                kd1, kd2 = (self._detail_vector(momentum, patches) for patches in (key_patches1, key_patches2))
            if region_mode:
                rk1, rk2 = (self._region_vectors(momentum, patches, boxes[:, view])
                            for view, patches in ((0, key_patches1), (1, key_patches2)))

        # global module (MoCo v3): CLS queries vs the other view's CLS keys
        temperature, detail_temperature = self.head.temperature, self.detail_head.temperature
        q1, q2 = self.head.predict(proj1), self.head.predict(proj2)
        losses = dict(loss_global=infonce_loss(q1, k2, temperature) + infonce_loss(q2, k1, temperature))

        # detail module: one aggregated vector per view (global) or the matched regions of the overlap (region)
        ramp = self.detail_ramp()
        if global_detail:
            qd1, qd2 = self.detail_head.predict(detail1), self.detail_head.predict(detail2)
        if region_mode:
            rq1, rq2 = self.detail_head.predict(region1), self.detail_head.predict(region2)
            valid = valid.flatten()
            loss_detail = (infonce_loss(rq1, rk2, detail_temperature, valid) +
                           infonce_loss(rq2, rk1, detail_temperature, valid))
            losses['region_matched'] = matched.float().mean()
        else:
            loss_detail = infonce_loss(qd1, kd2, detail_temperature) + infonce_loss(qd2, kd1, detail_temperature)
        losses['loss_detail'] = self.loss_weight_detail * ramp * loss_detail

        # cross-level terms: CLS queries vs the other view's detail keys and / or detail queries vs CLS keys
        if self.loss_weight_cross > 0:
            if q1.shape[1] != kd1.shape[1]:
                raise ValueError(f'cross-level terms contrast CLS and detail projections in one space, but they are '
                                 f'{q1.shape[1]}-d and {kd1.shape[1]}-d: give neck and detail_neck the same '
                                 'out_channels')
            loss_cross = q1.new_zeros(())
            if self.cross_terms in ('both', 'cls'):
                loss_cross = loss_cross + infonce_loss(q1, kd2, temperature) + infonce_loss(q2, kd1, temperature)
            if self.cross_terms in ('both', 'detail'):
                loss_cross = (loss_cross + infonce_loss(qd1, k2, detail_temperature) +
                              infonce_loss(qd2, k1, detail_temperature))
            losses['loss_cross'] = self.loss_weight_cross * ramp * loss_cross
        return losses
