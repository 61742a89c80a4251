from .dino_neck import DINONeck
from .pooling import AttentionPool, CLSAttentionPool, GeMPool, MeanPool, PatchAggregator, TokenPooling
from .token_pool import FEATURE_TYPES, TokenPool, check_feature_type, pool_tokens

__all__ = [
    'AttentionPool', 'CLSAttentionPool', 'DINONeck', 'FEATURE_TYPES', 'GeMPool', 'MeanPool', 'PatchAggregator',
    'TokenPool', 'TokenPooling', 'check_feature_type', 'pool_tokens'
]
