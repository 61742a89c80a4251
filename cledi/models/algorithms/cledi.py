"""CL-EDI: Contrastive Learning with Enhancing Detailed Information."""
import copy
import math
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.structures import DataSample

from cledi.registry import MODELS


def _build(cfg: Union[dict, nn.Module]) -> nn.Module:
    return cfg if isinstance(cfg, nn.Module) else MODELS.build(cfg)


@MODELS.register_module()
class CLEDI(BaseSelfSupervisor):
    """CL-EDI pre-training of a ViT: a MoCo v3 global module plus a detail module on the patch tokens.

    For two augmented views ``v1, v2`` of each image, with ``f`` the online ViT and ``f~`` its momentum copy:

    - global module: ``q = head(neck(cls(f(v))))`` vs ``k = neck~(cls(f~(v')))`` (MoCo v3);
    - detail module: ``q_d = detail_head(detail_neck(agg(patches(f(v)))))`` vs
      ``k_d = detail_neck~(agg~(patches(f~(v'))))``;
    - ``loss = L_global + lambda * L_detail``, each InfoNCE summed over both directions (v1->v2, v2->v1).

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
      (default) aggregates all patches on both sides.

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

    def _embed(self, modules, view: torch.Tensor, online: bool = False) -> Tuple[torch.Tensor, torch.Tensor]:
        """One view through one encoder (online or momentum): (global projection, detail projection)."""
        outs = modules['backbone'](view)
        cls_token, _ = modules['backbone'].split_tokens(outs[self.global_out_index])  # (B, 1 + N, C) -> (B, C)
        detail_backbone = modules['detail_backbone'] if 'detail_backbone' in modules else modules['backbone']
        if 'detail_backbone' in modules:
            outs = detail_backbone(view)
        _, patch_tokens = detail_backbone.split_tokens(outs[self.detail_out_index])  # (B, 1 + N, C) -> (B, N, C)
        if online and self.detail_local_window is not None:
            patch_tokens = self._local_window(patch_tokens)
        global_proj = modules['neck']((cls_token, ))[0]
        detail_proj = modules['detail_neck']((modules['detail_aggregator'](patch_tokens), ))[0]
        return global_proj, detail_proj

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Both contrastive losses for two views.

        Returns:
            dict: ``loss_global`` and ``loss_detail`` (already multiplied by lambda); MMEngine sums them.
        """
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError('CLEDI needs exactly two views per image; use a MultiView transform with '
                             f'num_views=[1, 1] in the training pipeline (got {type(inputs).__name__} '
                             f'of length {len(inputs) if isinstance(inputs, (list, tuple)) else 1})')
        online = self._key_modules()
        q1, qd1 = self._embed(online, inputs[0], online=True)
        q2, qd2 = self._embed(online, inputs[1], online=True)

        with torch.no_grad():
            self._momentum_update()
            k1, kd1 = self._embed(self.momentum_encoder, inputs[0])
            k2, kd2 = self._embed(self.momentum_encoder, inputs[1])

        loss_global = self.head.loss(q1, k2) + self.head.loss(q2, k1)
        loss_detail = self.detail_head.loss(qd1, kd2) + self.detail_head.loss(qd2, kd1)
        return dict(loss_global=loss_global, loss_detail=self.loss_weight_detail * loss_detail)
