from .patch_aggregator import AGGREGATOR_MODES, PatchAggregator
from .token_pool import FEATURE_TYPES, TokenPool, check_feature_type, pool_tokens

__all__ = ['AGGREGATOR_MODES', 'FEATURE_TYPES', 'PatchAggregator', 'TokenPool', 'check_feature_type', 'pool_tokens']
