"""DINO's projection head: an MLP to a bottleneck, L2-normalised, then a weight-normalised linear layer to K outputs."""
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from cledi.registry import MODELS


@MODELS.register_module()
class DINONeck(BaseModule):
    """DINO's head as a neck (MMPretrain's convention: a 1-tuple of (B, C) in, a 1-tuple out):

        z = normalize(MLP(x))                      MLP: num_layers linear layers, GELU between, to bottleneck_channels
        y = z W^T,  W = g * V / ||V||_rows          the weight-normalised last layer, (out_channels, bottleneck_channels)

    ``norm_last_layer=True`` fixes ``g = 1`` (DINO's default for ViT-B; Gani et al. train ``g`` for small data).
    ``freeze_last_layer`` is set by ``cledi.FreezeLastLayerHook`` during the first epoch(s): the last layer is then
    used with its weights detached, so it gets no gradient and the optimizer leaves it as it is (DINO cancels its
    gradients the same way).

    Args:
        in_channels (int): Input width (the backbone's).
        hid_channels (int): Hidden width of the MLP. Defaults to 2048.
        bottleneck_channels (int): Width before the last layer. Defaults to 256.
        out_channels (int): K, the number of outputs (DINO 65,536; Gani et al. 1,024). Defaults to 65536.
        num_layers (int): Linear layers of the MLP (>= 1). Defaults to 3.
        norm_last_layer (bool): Fix the last layer's norms to 1. Defaults to True.
    """

    def __init__(self, in_channels: int, hid_channels: int = 2048, bottleneck_channels: int = 256,
                 out_channels: int = 65536, num_layers: int = 3, norm_last_layer: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_layers < 1:
            raise ValueError(f'DINONeck: num_layers must be >= 1, got {num_layers}')
        widths = [in_channels] + [hid_channels] * (num_layers - 1) + [bottleneck_channels]
        layers = []
        for index, (width_in, width_out) in enumerate(zip(widths[:-1], widths[1:])):
            layers.append(nn.Linear(width_in, width_out))
            if index < num_layers - 1:
                layers.append(nn.GELU())
        self.mlp = nn.Sequential(*layers)
        self.last_direction = nn.Parameter(torch.empty(out_channels, bottleneck_channels))  # V
        self.last_norm = None if norm_last_layer else nn.Parameter(torch.ones(out_channels, 1))  # g
        self.freeze_last_layer = False
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for module in self.mlp:
            if isinstance(module, nn.Linear):
                nn.init.trunc_normal_(module.weight, std=0.02)
                nn.init.zeros_(module.bias)
        nn.init.trunc_normal_(self.last_direction, std=0.02)
        if self.last_norm is not None:
            nn.init.ones_(self.last_norm)

    def init_weights(self) -> None:
        super().init_weights()
        self.reset_parameters()

    def forward(self, inputs: Tuple[torch.Tensor]) -> Tuple[torch.Tensor]:
        z = F.normalize(self.mlp(inputs[-1]), dim=-1)  # (B, C) -> (B, bottleneck)
        direction, norm = self.last_direction, self.last_norm
        if self.freeze_last_layer:
            direction = direction.detach()
            norm = None if norm is None else norm.detach()
        weight = F.normalize(direction, dim=1) if norm is None else norm * F.normalize(direction, dim=1)
        return (F.linear(z, weight), )  # (B, bottleneck) -> (B, K)
