"""Images for the visualisation tools (models load with ``cledi.apis.init_model``)."""
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config
from torch.utils.data import Subset

from cledi.apis import detail_pool  # noqa: F401  (re-exported by cledi.visualization)
from cledi.evaluation import build_eval_dataloader
from cledi.utils import check_data_roots
from cledi.utils.errors import MissingInputError, UnreadableInputError


def dataset_images(cfg: Config, num_images: int, loader_key: str = 'knn_query_dataloader',
                   indices: Optional[Sequence[int]] = None) -> Tuple[dict, List[int], Optional[List[str]]]:
    """A batch of labelled images of the config's ``loader_key`` dataset (its evaluation pipeline).

    Without ``indices``, ``num_images`` images spread evenly over the dataset (so a class-sorted list shows
    several classes).

    Returns:
        (the collated batch, as the model's data preprocessor takes it; the dataset indices used; the class
        names, or None when the dataset has none)
    """
    if loader_key not in cfg:
        raise KeyError(f"the config has no {loader_key}; pass image files instead, or use a config with labelled "
                       'evaluation loaders (e.g. the CIFAR-10 ones)')
    check_data_roots(cfg)
    loader = build_eval_dataloader(cfg[loader_key])
    size = len(loader.dataset)
    if indices is None:
        indices = np.linspace(0, size - 1, min(num_images, size)).round().astype(int).tolist()
    bad = [i for i in indices if not 0 <= i < size]
    if bad:
        raise IndexError(f'image indices {bad} are outside {loader_key} (it has {size} images)')
    subset = Subset(loader.dataset, list(indices))
    batch = loader.collate_fn([subset[i] for i in range(len(subset))])
    return batch, list(indices), dataset_classes(loader.dataset)


def dataset_classes(dataset) -> Optional[List[str]]:
    """Class names from the dataset's metainfo, else from ``<data_root>/meta/classes.txt`` (the folder layout
    of the CIFAR-10 configs), else None."""
    classes = (getattr(dataset, 'metainfo', None) or {}).get('classes')
    if classes:
        return list(classes)
    leaf = dataset
    while hasattr(leaf, 'dataset'):
        leaf = leaf.dataset
    listing = osp.join(getattr(leaf, 'data_root', '') or '', 'meta', 'classes.txt')
    if osp.isfile(listing):
        with open(listing) as f:
            return [line.strip() for line in f if line.strip()]
    return None


def check_image_files(paths: Sequence[str]) -> None:
    """A missing image file is an error naming it (checked before any model is loaded)."""
    for path in paths:
        if not osp.isfile(path):
            raise MissingInputError(f"image '{path}' does not exist; pass an existing JPEG / PNG file")


def file_images(paths: Sequence[str], size: int, bgr: bool = True) -> dict:
    """A batch made of image files: shorter side resized to ``size``, centre crop ``size`` x ``size``.

    Channels are BGR (``bgr=True``), as the folder datasets' decoders give them, so the model's data preprocessor
    treats them like its training images. An unreadable file is an error naming it.
    """
    import mmcv
    images = []
    check_image_files(paths)
    for path in paths:
        try:
            image = mmcv.imread(path, channel_order='bgr' if bgr else 'rgb')
        except Exception as error:  # mmcv raises several types for corrupt files
            raise UnreadableInputError(f"image '{path}' cannot be read ({error}); pass a JPEG / PNG file") from error
        if image is None:
            raise UnreadableInputError(f"image '{path}' cannot be read; pass a JPEG / PNG file")
        height, width = image.shape[:2]
        scale = size / min(height, width)
        image = mmcv.imresize(image, (max(size, round(width * scale)), max(size, round(height * scale))))
        top, left = (image.shape[0] - size) // 2, (image.shape[1] - size) // 2
        image = np.ascontiguousarray(image[top:top + size, left:left + size])
        images.append(torch.from_numpy(image).permute(2, 0, 1))
    return dict(inputs=images, data_samples=None)


@torch.no_grad()
def preprocess(model: nn.Module, batch: dict) -> Tuple[torch.Tensor, np.ndarray]:
    """Normalised inputs (B, 3, H, W) for the model and the same images as RGB uint8 (B, H, W, 3) for display.

    The display images are the model's inputs with the normalisation undone, so they show exactly what the model
    saw (in the channel order it was trained on).
    """
    data = model.data_preprocessor(batch, False)
    inputs = data['inputs']
    if isinstance(inputs, (list, tuple)):
        inputs = inputs[0]
    preprocessor = model.data_preprocessor
    mean = preprocessor.mean.reshape(1, -1, 1, 1).float()
    std = preprocessor.std.reshape(1, -1, 1, 1).float()
    pixels = inputs.float() * std + mean
    if float(mean.max()) <= 1.0:  # MultiViewPreprocessor keeps mean / std in [0, 1] units
        pixels = pixels * 255
    display = pixels.clamp(0, 255).round().byte().permute(0, 2, 3, 1).cpu().numpy()
    return inputs, display


def labels_of(batch: dict) -> Optional[List[int]]:
    """The batch's class labels, or None for image files."""
    samples = batch.get('data_samples')
    if not samples or 'gt_label' not in samples[0]:
        return None
    return [int(sample.gt_label[0]) for sample in samples]
