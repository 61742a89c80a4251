from .color import ColorJitter, adjust_hue
from .loading import LoadImageFromFile

__all__ = ['ColorJitter', 'LoadImageFromFile', 'adjust_hue']
