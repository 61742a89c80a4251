from .attention import attention
from .build import build_module
from .masking import block_mask, sample_masks
from .regions import matched_regions, pool_regions, source_to_view
from .views import EncodedViews, encode_views

__all__ = ['EncodedViews', 'attention', 'block_mask', 'build_module', 'encode_views', 'matched_regions',
           'pool_regions', 'sample_masks', 'source_to_view']
