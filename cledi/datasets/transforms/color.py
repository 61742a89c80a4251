"""ColorJitter that works with NumPy 2 (MMCV 2.1.0's hue shift overflows for negative hue factors)."""
import warnings
from typing import Dict

import cv2
import mmcv
import numpy as np
from mmpretrain.datasets.transforms import ColorJitter as MMPretrainColorJitter

from cledi.registry import TRANSFORMS


def adjust_hue(img: np.ndarray, hue_factor: float) -> np.ndarray:
    """Rotate the hue of a BGR uint8 image by ``hue_factor`` turns (in [-0.5, 0.5]), as ``mmcv.adjust_hue``.

    MMCV 2.1.0 computes ``np.uint8(hue_factor * 255)``, which NumPy 1 wrapped around for negative factors and
    NumPy 2 rejects (``OverflowError: Python integer -1 out of bounds for uint8``), so half of all hue jitters
    crash. Here the shift is taken modulo 256 first: the same rotation, on both NumPy versions.
    """
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f'hue_factor {hue_factor} is not in [-0.5, 0.5]')
    hsv = cv2.cvtColor(img.astype(np.uint8), cv2.COLOR_BGR2HSV_FULL)
    with np.errstate(over='ignore'):
        hsv[..., 0] += np.uint8(int(hue_factor * 255) % 256)  # uint8 addition wraps around the hue circle
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR_FULL).astype(img.dtype)


@TRANSFORMS.register_module()
class ColorJitter(MMPretrainColorJitter):
    """MMPretrain's ``ColorJitter`` (same arguments, same random order of the four adjustments) with a
    NumPy-2-safe hue shift (see :func:`adjust_hue`)."""

    def transform(self, results: Dict) -> Dict:
        with warnings.catch_warnings():
            # mmcv.adjust_color warns on every call with the pillow backend ("Only use 'alpha' ..."), flooding logs
            warnings.filterwarnings('ignore', message="Only use 'alpha' for pillow backend")
            return self._jitter(results)

    def _jitter(self, results: Dict) -> Dict:
        img = results['img']
        order, brightness, contrast, saturation, hue = self._rand_params()
        for index in order:
            if index == 0 and brightness is not None:
                img = mmcv.adjust_brightness(img, brightness, backend=self.backend)
            elif index == 1 and contrast is not None:
                img = mmcv.adjust_contrast(img, contrast, backend=self.backend)
            elif index == 2 and saturation is not None:
                img = mmcv.adjust_color(img, alpha=saturation, backend=self.backend)
            elif index == 3 and hue is not None:
                img = adjust_hue(img, hue)
        results['img'] = img
        return results
