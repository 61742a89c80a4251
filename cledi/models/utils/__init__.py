from .attention import attention
from .regions import matched_regions, pool_regions, source_to_view

__all__ = ['attention', 'matched_regions', 'pool_regions', 'source_to_view']
