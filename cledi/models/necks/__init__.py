from .patch_aggregator import AGGREGATOR_MODES, PatchAggregator
from .token_pool import TokenPool

__all__ = ['AGGREGATOR_MODES', 'PatchAggregator', 'TokenPool']
