"""Image features for classification from a ViT's raw tokens: CLS, mean patch token, or both."""
from typing import Tuple

import torch
from mmengine.model import BaseModule

from cledi.registry import MODELS

FEATURES = ('cls', 'mean', 'cls+mean')


@MODELS.register_module()
class TokenPool(BaseModule):
    """Turn the backbone's raw (B, 1 + N, C) outputs into (B, C) features (``'cls+mean'``: (B, 2C)).

    Parameter-free, so a pre-trained backbone loads strictly and a linear probe sees exactly the features that
    the kNN evaluation uses (``tools/knn_eval.py --feature``).

    Args:
        feature (str): ``'cls'``, ``'mean'`` or ``'cls+mean'``. Defaults to ``'cls'``.
    """

    def __init__(self, feature: str = 'cls') -> None:
        super().__init__()
        if feature not in FEATURES:
            raise ValueError(f"feature '{feature}' is not one of {FEATURES}")
        self.feature = feature

    def forward(self, inputs: Tuple[torch.Tensor]) -> Tuple[torch.Tensor]:
        tokens = inputs[-1]  # (B, 1 + N, C)
        if tokens.dim() != 3:
            raise ValueError(f"TokenPool needs raw token sequences (B, 1 + N, C); build the backbone with out_type='raw' "
                             f'(got shape {tuple(tokens.shape)})')
        cls_token, patch_mean = tokens[:, 0], tokens[:, 1:].mean(dim=1)
        if self.feature == 'cls':
            return (cls_token, )
        if self.feature == 'mean':
            return (patch_mean, )
        return (torch.cat([cls_token, patch_mean], dim=1), )
