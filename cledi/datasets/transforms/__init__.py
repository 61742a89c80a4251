from .color import ColorJitter, adjust_hue
from .loading import LoadImageFromFile
from .views import RecipeViews, pil_view_pipeline

__all__ = ['ColorJitter', 'LoadImageFromFile', 'RecipeViews', 'adjust_hue', 'pil_view_pipeline']
