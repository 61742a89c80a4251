from .base import DetailInputs, DetailOutput, DetailPart, EncodedViews, GlobalSpace, ramp
from .cross_level import CrossLevel
from .global_detail import GlobalDetail
from .region_detail import RegionDetail

__all__ = [
    'CrossLevel', 'DetailInputs', 'DetailOutput', 'DetailPart', 'EncodedViews', 'GlobalDetail', 'GlobalSpace',
    'RegionDetail', 'ramp'
]
