from .coco_images import CocoImages
from .digits import SklearnDigits
from .image_cache import DecodedImageCache
from .transforms import *  # noqa: F401,F403

__all__ = ['CocoImages', 'DecodedImageCache', 'SklearnDigits']
