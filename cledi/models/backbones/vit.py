"""Vision Transformer with MoCo v3 conventions, shared by CL-EDI, the MoCo v3 baseline and detection transfer."""
import inspect
import math
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmpretrain.models.backbones import VisionTransformer
from mmpretrain.models.utils import build_2d_sincos_position_embedding

from cledi.models.utils.attention import attention
from cledi.registry import MODELS
from cledi.utils.checkpoint import load_backbone_strict


def split_tokens(tokens: torch.Tensor, num_extra_tokens: int = 1) -> Tuple[torch.Tensor, torch.Tensor]:
    """The one place that knows the raw token layout: (B, 1 + N, C) -> CLS token (B, C), patch tokens (B, N, C)."""
    return tokens[:, 0], tokens[:, num_extra_tokens:]


def unmasked_outputs(backbone: nn.Module, inputs: torch.Tensor) -> Tuple[torch.Tensor, ...]:
    """A ViT's outputs on whole images. A masked-image backbone masks by default (MMPretrain's ``MAEViT``:
    ``forward(x, mask=True)``); it is asked not to, so its features are those of its encoder on the full image."""
    if 'mask' in inspect.signature(backbone.forward).parameters:
        return backbone(inputs, mask=None)
    return backbone(inputs)


@MODELS.register_module()
class ViT(VisionTransformer):
    """ViT with MoCo v3's initialisation, fixed sin-cos position embedding and optional frozen patch projection.

    Parameter names are those of MMPretrain's ``VisionTransformer`` (``patch_embed``, ``layers.N``, ``ln1``), so
    a checkpoint loads into MMPretrain classifiers and into :class:`cledi.det.ViTDetBackbone` unchanged.

    Widths (``arch``) are spelled out here instead of mutating MMPretrain's shared ``arch_zoo``; note that
    MMPretrain's own ``'small'`` (768-d, 8 layers) is *not* MoCo v3's ViT-S, which ours is:

    ========  ==========  ======  =====  ===========================================
    arch      embed dims  layers  heads  use
    ========  ==========  ======  =====  ===========================================
    nano      64          4       4      the embedded demo and unit-sized runs
    mini      128         6       4      CPU benchmarks at 32x32 (patch 4)
    tiny      192         12      3      DeiT/MoCo v3 ViT-T
    small     384         12      12     MoCo v3 ViT-S
    base      768         12      12     ViT-B
    large     1024        24      16     ViT-L (sharded training: FSDP configs)
    huge      1280        32      16     ViT-H (patch 14, FSDP configs)
    ========  ==========  ======  =====  ===========================================

    For 32x32 inputs use ``img_size=32`` with ``patch_size=4`` (64 tokens) or ``8`` (16 tokens).

    Args:
        arch (str | dict): One of the names above, or a dict with ``embed_dims``, ``num_layers``, ``num_heads``
            and ``feedforward_channels``. Defaults to ``'small'``.
        img_size (int): Input size the position embedding is built for. Defaults to 224.
        patch_size (int): Patch size. Defaults to 16.
        out_type (str): ``'raw'`` returns (B, 1 + N, C) token sequences (CLS at index 0), what CL-EDI needs;
            ``'cls_token'``, ``'featmap'`` and ``'avg_featmap'`` as in MMPretrain. Defaults to ``'raw'``.
        frozen_patch_embed (bool): Freeze the random patch projection (MoCo v3's stability trick).
            Defaults to False.
        pos_embed_type (str): ``'sincos'`` (fixed 2-D sin-cos, MoCo v3) or ``'learned'``. Defaults to
            ``'sincos'``.
        init_cfg (dict, optional): ``dict(type='Pretrained', checkpoint=PATH, prefix='backbone.')`` loads the
            backbone of a pre-training checkpoint **strictly**: a backbone weight missing from the checkpoint (or
            an unexpected one) is an error naming it, not MMEngine's warning. ``checkpoint=None`` keeps the
            random initialisation. The position embedding is resized to ``img_size`` on load.
        **kwargs: Passed to MMPretrain's ``VisionTransformer`` (``out_indices``, ``drop_path_rate``,
            ``final_norm``, ``frozen_stages``, ...).
    """

    arch_zoo: Dict[str, dict] = {
        'nano': dict(embed_dims=64, num_layers=4, num_heads=4, feedforward_channels=256),
        'mini': dict(embed_dims=128, num_layers=6, num_heads=4, feedforward_channels=512),
        'tiny': dict(embed_dims=192, num_layers=12, num_heads=3, feedforward_channels=768),
        'small': dict(embed_dims=384, num_layers=12, num_heads=12, feedforward_channels=1536),
        'base': dict(embed_dims=768, num_layers=12, num_heads=12, feedforward_channels=3072),
        'large': dict(embed_dims=1024, num_layers=24, num_heads=16, feedforward_channels=4096),
        'huge': dict(embed_dims=1280, num_layers=32, num_heads=16, feedforward_channels=5120),
    }
    POS_EMBED_TYPES = ('sincos', 'learned')

    def __init__(self,
                 arch: Union[str, dict] = 'small',
                 img_size: int = 224,
                 patch_size: int = 16,
                 out_type: str = 'raw',
                 frozen_patch_embed: bool = False,
                 pos_embed_type: str = 'sincos',
                 out_indices: Union[int, Sequence[int]] = -1,
                 init_cfg: Optional[Union[dict, list]] = None,
                 **kwargs) -> None:
        if isinstance(arch, str) and arch.lower() not in self.arch_zoo:
            raise ValueError(f"arch '{arch}' is not one of {sorted(self.arch_zoo)}; pass one of them or a dict "
                             'with embed_dims, num_layers, num_heads and feedforward_channels')
        if pos_embed_type not in self.POS_EMBED_TYPES:
            raise ValueError(f"pos_embed_type '{pos_embed_type}' is not one of {self.POS_EMBED_TYPES}")
        if isinstance(out_indices, int):
            out_indices = [out_indices]
        if init_cfg is not None and (not isinstance(init_cfg, dict) or init_cfg.get('type') != 'Pretrained'):
            raise ValueError(f"init_cfg of cledi.ViT must be None or dict(type='Pretrained', checkpoint=PATH, "
                             f"prefix='backbone.'), got {init_cfg}")
        super().__init__(
            arch=arch,
            img_size=img_size,
            patch_size=patch_size,
            out_type=out_type,
            out_indices=list(out_indices),
            init_cfg=None,
            **kwargs)
        for layer in self.layers:  # the fastest attention kernel for the device and precision (same function)
            layer.attn.scaled_dot_product_attention = attention
        # loaded strictly in init_weights() instead of MMEngine's lenient PretrainedInit
        self.pretrained_cfg = init_cfg
        self.patch_size = patch_size
        self.frozen_patch_embed = frozen_patch_embed
        self.pos_embed_type = pos_embed_type
        if frozen_patch_embed:
            self.patch_embed.requires_grad_(False)
        if pos_embed_type == 'sincos':
            self.pos_embed.requires_grad = False
            self._set_sincos_pos_embed()

    def _set_sincos_pos_embed(self) -> None:
        pos_embed = build_2d_sincos_position_embedding(
            patches_resolution=self.patch_resolution, embed_dims=self.embed_dims, cls_token=self.with_cls_token)
        self.pos_embed.data.copy_(pos_embed)

    def init_weights(self) -> None:
        """MoCo v3 initialisation, then the strict load of ``init_cfg``'s checkpoint if one is given."""
        super().init_weights()
        self._moco_v3_init()
        checkpoint = (self.pretrained_cfg or {}).get('checkpoint')
        if checkpoint is not None:
            load_backbone_strict(self, checkpoint, prefix=self.pretrained_cfg.get('prefix', 'backbone.'))

    def _moco_v3_init(self) -> None:
        if self.pos_embed_type == 'sincos':
            self._set_sincos_pos_embed()  # the parent re-initialises pos_embed with a truncated normal
        projection = self.patch_embed.projection
        fan = 3 * projection.kernel_size[0] * projection.kernel_size[1] + self.embed_dims
        bound = math.sqrt(6.0 / fan)
        nn.init.uniform_(projection.weight, -bound, bound)
        nn.init.zeros_(projection.bias)
        for name, module in self.named_modules():
            if isinstance(module, nn.Linear):
                if 'qkv' in name:
                    # treat q, k, v as separate matrices for the Xavier bound
                    bound = math.sqrt(6.0 / (module.weight.shape[0] // 3 + module.weight.shape[1]))
                    nn.init.uniform_(module.weight, -bound, bound)
                else:
                    nn.init.xavier_uniform_(module.weight)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
        if self.cls_token is not None:
            nn.init.normal_(self.cls_token, std=1e-6)

    def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor] = None,
                mask_token: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, ...]:
        """MMPretrain's forward; with ``mask`` (B, N) bool, the patch embeddings it marks are replaced by
        ``mask_token`` (C,) before the position embedding is added (BEiT's and iBOT's masked image input). The token
        belongs to the caller (e.g. iBOT's detail part), so a backbone checkpoint is the same with or without it."""
        if mask is None:
            return super().forward(x)

        def replace(module, args, output):
            tokens, resolution = output  # (B, N, C)
            weight = mask.flatten(1).unsqueeze(-1).to(tokens.dtype)
            return tokens * (1 - weight) + mask_token.reshape(1, 1, -1).to(tokens.dtype) * weight, resolution

        handle = self.patch_embed.register_forward_hook(replace)
        try:
            return super().forward(x)
        finally:
            handle.remove()

    def get_layer_depth(self, param_name: str, prefix: str = '') -> Tuple[int, int]:
        """Depth of a parameter for layer-wise lr decay: stem (patch / position embedding, CLS) = 0, block i =
        i + 1, anything after the blocks or outside the backbone = ``num_layers + 1``.

        Looked up from this module's own parameter names, not parsed from string positions.

        Returns:
            (depth, number of depths = num_layers + 2)
        """
        num_depths = self.num_layers + 2
        if not param_name.startswith(prefix):
            return num_depths - 1, num_depths
        depths = {name: 0 for name in ('pos_embed', 'cls_token')}
        depths.update({name: 0 for name, _ in self.patch_embed.named_parameters(prefix='patch_embed')})
        for index, layer in enumerate(self.layers):
            depths.update({name: index + 1 for name, _ in layer.named_parameters(prefix=f'layers.{index}')})
        return depths.get(param_name[len(prefix):], num_depths - 1), num_depths

    def no_weight_decay(self) -> set:
        """Parameter names that optimizers usually exclude from weight decay."""
        return {'pos_embed', 'cls_token'}

    def split_tokens(self, tokens: torch.Tensor):
        """Split a raw (B, 1 + N, C) output into the CLS token (B, C) and the patch tokens (B, N, C)."""
        if self.cls_token is None:
            raise ValueError('this ViT was built with with_cls_token=False, so it has no CLS token to split off')
        return split_tokens(tokens, self.num_extra_tokens)
