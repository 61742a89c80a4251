"""Detection transfer (MMDetection): import with ``custom_imports=dict(imports=['cledi.det'])``.

Kept out of ``import cledi`` so that pre-training never needs MMDetection.
"""
import cledi  # noqa: F401  (registers the pre-training modules and the checkpoint allow-list)

from cledi.engine import LayerDecayOptimWrapperConstructor
from .roi_align import RoIExtractor, SeparableRoIAlign, separable_roi_align
from .simple_fpn import LayerNorm2d, SimpleFPN
from .vitdet_backbone import ViTDetBackbone, window_partition, window_unpartition

__all__ = [
    'LayerDecayOptimWrapperConstructor', 'LayerNorm2d', 'RoIExtractor', 'SeparableRoIAlign', 'SimpleFPN',
    'ViTDetBackbone', 'separable_roi_align', 'window_partition', 'window_unpartition'
]
