from .patch_aggregator import AGGREGATOR_MODES, PatchAggregator

__all__ = ['AGGREGATOR_MODES', 'PatchAggregator']
