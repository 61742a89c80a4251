"""The embedded default dataset: scikit-learn's handwritten digits, shipped inside the scikit-learn package."""
from typing import List

import cv2
import numpy as np
from mmpretrain.datasets import BaseDataset

from cledi.registry import DATASETS

SPLITS = ('train', 'test', 'all')


@DATASETS.register_module()
class SklearnDigits(BaseDataset):
    """Real handwritten digits (UCI ML hand-written digits, 1,797 images, 10 classes) as 32x32 RGB images.

    The images ship inside scikit-learn (``sklearn.datasets.load_digits``), so nothing is downloaded. Each 8x8
    image with 17 grey levels is scaled to 0..255, upscaled to ``img_size`` (bicubic) and repeated to 3
    channels, so the standard image pipelines apply (no ``LoadImageFromFile`` step).

    Split (deterministic): every 4th image (index % 4 == 3, 449 images) is ``'test'``, the other 1,348 are
    ``'train'``; ``'all'`` is everything.

    Args:
        split (str): ``'train'``, ``'test'`` or ``'all'``. Defaults to ``'train'``.
        img_size (int): Output side length. Defaults to 32.
        **kwargs: Passed to MMPretrain's ``BaseDataset`` (``pipeline``, ``test_mode``, ``indices``, ...).
    """

    METAINFO = {'classes': tuple(str(d) for d in range(10))}

    def __init__(self, split: str = 'train', img_size: int = 32, **kwargs) -> None:
        if split not in SPLITS:
            raise ValueError(f"split '{split}' is not one of {SPLITS}")
        self.split = split
        self.img_size = img_size
        super().__init__(ann_file='', **kwargs)

    def load_data_list(self) -> List[dict]:
        from sklearn.datasets import load_digits

        digits = load_digits()
        indices = np.arange(len(digits.images))
        if self.split == 'train':
            indices = indices[indices % 4 != 3]
        elif self.split == 'test':
            indices = indices[indices % 4 == 3]
        data_list = []
        for index in indices:
            grey = (digits.images[index] * (255.0 / 16.0)).astype(np.uint8)  # (8, 8), 0..255
            grey = cv2.resize(grey, (self.img_size, self.img_size), interpolation=cv2.INTER_CUBIC)
            img = np.repeat(grey[:, :, None], 3, axis=2)  # (H, W) -> (H, W, 3)
            data_list.append(dict(img=img, img_shape=img.shape[:2], ori_shape=img.shape[:2],
                                  gt_label=int(digits.target[index]), digit_index=int(index)))
        return data_list
