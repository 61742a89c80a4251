"""Image features from a ViT's raw tokens: CLS, mean patch token, or both (classification and kNN alike)."""
from typing import Tuple

import torch
from mmengine.model import BaseModule

from cledi.models.backbones.vit import split_tokens
from cledi.registry import MODELS

FEATURE_TYPES = ('cls', 'mean', 'cls+mean')


def check_feature_type(feature: str) -> None:
    if feature not in FEATURE_TYPES:
        raise ValueError(f"feature '{feature}' is not one of {FEATURE_TYPES}")


def pool_tokens(tokens: torch.Tensor, feature: str = 'cls') -> torch.Tensor:
    """(B, 1 + N, C) tokens -> the CLS token (B, C), the mean patch token (B, C), or both concatenated (B, 2C)."""
    check_feature_type(feature)
    cls_token, patch_tokens = split_tokens(tokens)
    patch_mean = patch_tokens.mean(dim=1)
    if feature == 'cls':
        return cls_token
    if feature == 'mean':
        return patch_mean
    return torch.cat([cls_token, patch_mean], dim=1)


@MODELS.register_module()
class TokenPool(BaseModule):
    """Turn the backbone's raw (B, 1 + N, C) outputs into (B, C) features (``'cls+mean'``: (B, 2C)).

    Parameter-free, so a pre-trained backbone loads strictly and a linear probe sees exactly the features that
    the kNN evaluation uses (``tools/knn_eval.py --feature``): both go through :func:`pool_tokens`.

    Args:
        feature (str): ``'cls'``, ``'mean'`` or ``'cls+mean'``. Defaults to ``'cls'``.
    """

    def __init__(self, feature: str = 'cls') -> None:
        super().__init__()
        check_feature_type(feature)
        self.feature = feature

    def forward(self, inputs: Tuple[torch.Tensor]) -> Tuple[torch.Tensor]:
        tokens = inputs[-1]  # (B, 1 + N, C)
        if tokens.dim() != 3:
            raise ValueError(f"TokenPool needs raw token sequences (B, 1 + N, C); build the backbone with out_type='raw' "
                             f'(got shape {tuple(tokens.shape)})')
        return (pool_tokens(tokens, self.feature), )
