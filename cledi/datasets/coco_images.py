"""Unlabelled images listed in a COCO json: pre-train on the images of a detection dataset's training split."""
import json
import os.path as osp
from typing import List

from mmpretrain.datasets import BaseDataset

from cledi.registry import DATASETS


@DATASETS.register_module()
class CocoImages(BaseDataset):
    """The images of a COCO-format annotation file, without labels, for self-supervised pre-training.

    Only the ``images`` entries are read (their ``file_name``), so pre-training sees exactly the images of the
    detection split it is given (e.g. ``annotations/train.json``) and never those of the val split.

    Args:
        ann_file (str): COCO json, relative to ``data_root``.
        data_prefix (str | dict): Image folder, relative to ``data_root``; ``'images'`` or
            ``dict(img_path='images')``.
        **kwargs: Passed to MMPretrain's ``BaseDataset`` (``data_root``, ``pipeline``, ``indices``, ...).
    """

    def __init__(self, ann_file: str, data_prefix='', **kwargs) -> None:
        if isinstance(data_prefix, str):
            data_prefix = dict(img_path=data_prefix)
        super().__init__(ann_file=ann_file, data_prefix=data_prefix, **kwargs)

    def load_data_list(self) -> List[dict]:
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f"COCO annotation file '{self.ann_file}' does not exist; set the dataset's "
                                    'data_root (or tools/train.py --data-root) to the folder that holds it')
        with open(self.ann_file) as f:
            images = json.load(f).get('images')
        if not images:
            raise ValueError(f"'{self.ann_file}' lists no images (no 'images' entries): is it a COCO json?")
        prefix = self.data_prefix['img_path']
        return [dict(img_path=osp.join(prefix, image['file_name'])) for image in images]
