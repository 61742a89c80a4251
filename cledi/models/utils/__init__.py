from .regions import matched_regions, pool_regions, source_to_view

__all__ = ['matched_regions', 'pool_regions', 'source_to_view']
