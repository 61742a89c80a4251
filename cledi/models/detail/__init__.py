from .base import DetailInputs, DetailOutput, DetailPart, EncodedViews, GlobalSpace, ramp
from .cross_level import CrossLevel
from .global_detail import GlobalDetail
from .local_crop import LocalCropDetail, local_region_boxes
from .masked_patch import MaskedPatchDistill
from .region_detail import RegionDetail

__all__ = [
    'CrossLevel', 'DetailInputs', 'DetailOutput', 'DetailPart', 'EncodedViews', 'GlobalDetail', 'GlobalSpace',
    'LocalCropDetail', 'MaskedPatchDistill', 'RegionDetail', 'local_region_boxes', 'ramp'
]
