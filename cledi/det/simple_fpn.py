"""ViTDet's simple feature pyramid: one plain ViT feature map -> the 5 levels (strides 4..64) of Mask R-CNN."""
from typing import List, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from cledi.registry import MODELS


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels of a (B, C, H, W) map; the output is a contiguous (B, C, H, W) tensor.

    Contiguous matters: mmcv's RoIAlign kernels (CPU and CUDA) read their input as a contiguous NCHW buffer and
    ignore strides, so the channels-last view that ``permute`` returns gave the RoI heads scrambled features
    (the Penn-Fudan Mask R-CNN could not fit even 4 images; tests/test_det checks this).
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2).contiguous()


@MODELS.register_module()
class SimpleFPN(BaseModule):
    """Simple feature pyramid (Li et al., ViTDet): deconvolutions up, max-pooling down, LayerNorm-2d.

    From a single map at ``in_stride`` it builds maps at ``out_strides[:-1]`` (each: rescale, 1x1 conv + LN,
    3x3 conv + LN) and adds the last level by stride-2 subsampling of the previous one (as ViTDet's
    ``LastLevelMaxPool``). With a stride-16 ViT: 4x up (two deconvs), 2x up, identity, 2x down, then /64.

    Args:
        in_channels (int): Backbone width.
        out_channels (int): Width of every level. Defaults to 256.
        in_stride (int): Stride of the backbone map (its patch size). Defaults to 16.
        out_strides (Sequence[int]): Strides of the outputs. Defaults to (4, 8, 16, 32, 64).
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int = 256,
                 in_stride: int = 16,
                 out_strides: Sequence[int] = (4, 8, 16, 32, 64),
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_stride = in_stride
        self.out_strides = tuple(out_strides)
        self.stages = nn.ModuleList(
            self._stage(in_channels, out_channels, in_stride, stride) for stride in self.out_strides[:-1])

    @staticmethod
    def _rescale(in_channels: int, in_stride: int, stride: int) -> Tuple[List[nn.Module], int]:
        layers, channels = [], in_channels
        if stride < in_stride:
            steps = in_stride // stride
            if steps * stride != in_stride or steps & (steps - 1):
                raise ValueError(f'cannot reach stride {stride} from {in_stride} by 2x deconvolutions')
            while steps > 1:
                layers.append(nn.ConvTranspose2d(channels, channels // 2, kernel_size=2, stride=2))
                channels //= 2
                steps //= 2
                if steps > 1:
                    layers += [LayerNorm2d(channels, eps=1e-6), nn.GELU()]
        elif stride > in_stride:
            if stride % in_stride:
                raise ValueError(f'stride {stride} is not a multiple of the input stride {in_stride}')
            layers.append(nn.MaxPool2d(kernel_size=stride // in_stride, stride=stride // in_stride))
        return layers, channels

    def _stage(self, in_channels: int, out_channels: int, in_stride: int, stride: int) -> nn.Sequential:
        layers, channels = self._rescale(in_channels, in_stride, stride)
        layers += [
            nn.Conv2d(channels, out_channels, kernel_size=1, bias=False),
            LayerNorm2d(out_channels, eps=1e-6),
            nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1, bias=False),
            LayerNorm2d(out_channels, eps=1e-6),
        ]
        return nn.Sequential(*layers)

    def forward(self, inputs: Tuple[torch.Tensor]) -> Tuple[torch.Tensor, ...]:
        feature = inputs[-1]  # (B, C, H/in_stride, W/in_stride)
        outs = [stage(feature) for stage in self.stages]
        outs.append(F.max_pool2d(outs[-1], kernel_size=1, stride=2))
        return tuple(outs)
