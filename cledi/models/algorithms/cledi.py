"""CL-EDI: Contrastive Learning with Enhancing Detailed Information."""
import copy
import re
from typing import Dict, List, Optional, Union

import torch
import torch.nn as nn
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.structures import DataSample

from cledi.models.detail import DetailInputs, GlobalSpace
from cledi.models.teachers import MomentumTeacher
from cledi.models.utils import build_module, encode_views
from cledi.registry import MODELS

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


@MODELS.register_module()
class CLEDI(BaseSelfSupervisor):
    """A self-supervised method as parts: backbone + momentum teacher + global objective + optional detail part.

    For the views of each image (two global views first, then any local views of a multi-crop recipe), with ``f``
    the online ViT and ``f~`` the teacher's copy (:class:`cledi.models.teachers.MomentumTeacher`, which sees the
    global views only):

    - global objective, the ``head`` chosen by ``type=`` over the projector ``neck``: the projections
      ``s_v = neck(cls(f(v)))`` of every view against ``t_g = neck~(cls(f~(g)))`` of every other global view,
      ``L_global = head.contrast([head.predict(s_v)], [t_g])``. ``cledi.InfoNCEHead`` is MoCo v3's:
      ``2 * mean_{v != g} InfoNCE(pred(s_v), t_g)`` (two views: ``InfoNCE(q1, k2) + InfoNCE(q2, k1)`` exactly);
    - detail part (``detail``, a registered part, e.g. ``cledi.GlobalDetail``: pooled patch tokens scored the
      same way; ``cledi.RegionDetail``: location-matched regions; see ``cledi/models/detail/``), ``None``: no detail
      branch is built (with ``cledi.InfoNCEHead``: MoCo v3);
    - cross-level terms (``cross``, e.g. ``cledi.CrossLevel``), optional: CLS against detail vectors.

    ``loss = L_global + L_detail (+ L_cross)``, the part's losses already weighted. One teacher holds the EMA of
    every online module that makes keys (backbone, projector, and each part's ``key_modules()`` under
    ``detail_<name>``), as ``momentum_encoder.*`` in checkpoints; predictors have no momentum copy.

    Args:
        backbone (dict): Online ViT returning raw token sequences (``out_type='raw'``).
        neck (dict): Global projector (CLS -> projection), e.g. ``mmpretrain.NonLinearNeck``.
        head (dict): The global objective, e.g. ``cledi.InfoNCEHead`` (predictor + InfoNCE).
        detail (dict, optional): The detail part; built with ``global_neck`` / ``global_head`` (this model's
            ``neck`` / ``head`` configs, the defaults of its own projector / head) and ``in_channels`` (the
            backbone's width). None: no detail module. Defaults to None.
        cross (dict, optional): A cross-level loss part. Defaults to None.
        teacher (dict): The teacher's options, :class:`MomentumTeacher`'s ``momentum`` (the EMA momentum at the
            start of training, raised to 1 along a cosine by ``cledi.CosineMomentumHook``; MMPretrain's
            ``base_momentum`` is ``1 - momentum``) and ``update`` (``'in_loss'``, MoCo v3's order, or
            ``'after_step'``, for FSDP). Defaults to ``dict(momentum=0.99, update='in_loss')``.
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
                 teacher: dict = dict(momentum=0.99, update='in_loss'),
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        part_defaults = dict(global_neck=copy.deepcopy(neck), global_head=copy.deepcopy(head))
        super().__init__(backbone=backbone, neck=neck, head=head, pretrained=pretrained,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if cross is not None and detail is None:
            raise ValueError('cross-level terms contrast CLS with detail vectors: set a detail part too')
        self.detail = build_module(detail, in_channels=self.backbone.embed_dims, **part_defaults)
        self.cross = build_module(cross)
        self.momentum_encoder = MomentumTeacher(self.key_modules(), **teacher)
        self._register_load_state_dict_pre_hook(
            lambda state_dict, prefix, *args: upgrade_state_dict(state_dict, prefix))

    def key_modules(self) -> Dict[str, nn.Module]:
        """The online modules that make keys, by their name in the teacher (what its EMA follows)."""
        modules = dict(backbone=self.backbone, neck=self.neck)
        if self.detail is not None:
            modules.update({f'detail_{name}': module for name, module in self.detail.key_modules().items()})
        return modules

    def init_weights(self) -> None:
        """Initialise the online modules, then start the teacher as an exact copy of them."""
        super().init_weights()
        self.momentum_encoder.copy_from(self.key_modules())

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
        teacher = self.momentum_encoder
        teacher.before_loss(self.key_modules())
        masked = None if self.detail is None else self.detail.student_masks(inputs[:2], self.backbone.patch_size)
        online = encode_views(self.backbone, inputs, *(masked or ()))
        momentum = teacher.encode(inputs[:2])
        with torch.no_grad():
            keys = [teacher['neck']((momentum.cls(view), ))[0] for view in range(2)]
        queries = [self.head.predict(self.neck((online.cls(view), ))[0]) for view in range(len(inputs))]
        losses = dict(loss_global=self.head.contrast(queries, keys, teacher.progress))
        if self.detail is None:
            return losses
        part_momentum = {name: teacher[f'detail_{name}'] for name in self.detail.key_modules()}
        global_space = GlobalSpace(self.neck, self.head, teacher['neck'])
        detail = self.detail(DetailInputs(online, momentum, part_momentum, global_space, self.geometry(data_samples),
                                          teacher.progress, self.cross is not None, masked and masked[0]))
        losses.update(detail.losses)
        if self.cross is not None:
            losses.update(self.cross(queries, keys, self.head, detail, teacher.progress))
        return losses
