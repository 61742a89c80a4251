"""Frozen dense linear probe: what a ViT's patch tokens know about *where* things are.

The backbone stays frozen; its last patch tokens (B, N, C), laid out on the patch grid (B, C, h, w), go through one
linear map per token (a 1x1 convolution) to class logits, which are upsampled bilinearly to the mask resolution and
trained with per-pixel cross-entropy. Features are extracted once (plus horizontal flips of the training images), so
fitting takes seconds; the score is the mean IoU over the classes on held-out images. This is the linear
segmentation probe of DINOv2 / SelfPatch reduced to one foreground class (Penn-Fudan: pedestrian vs background).
"""
import json
import os.path as osp
import sys
import time
from typing import Dict, List, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from cledi.models.backbones.vit import split_tokens, unmasked_outputs
from cledi.utils.errors import MissingInputError


def load_instance_masks(ann_file: str, size: int) -> Tuple[List[str], torch.Tensor]:
    """Foreground masks (union of every instance) of a COCO instance json, resized to ``size`` x ``size``.

    Returns:
        (image file names in the json's order, masks (N, size, size) uint8 in {0, 1}).

    Raises:
        ValueError: naming ``ann_file`` when it is not a COCO instance json with segmentation masks.
    """
    from pycocotools import mask as mask_utils
    try:
        with open(ann_file) as f:
            coco = json.load(f)
        images = coco['images']
        by_image: Dict[int, list] = {image['id']: [] for image in images}
        for ann in coco['annotations']:
            by_image[ann['image_id']].append(ann['segmentation'])
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"'{ann_file}' is not a COCO instance json with images, annotations and segmentation "
                         f'masks ({type(error).__name__}: {error})') from error
    names, masks = [], []
    for image in images:
        height, width = image['height'], image['width']
        mask = np.zeros((height, width), dtype=np.uint8)
        for segmentation in by_image[image['id']]:
            try:
                rles = mask_utils.frPyObjects(segmentation, height, width)
                mask |= mask_utils.decode(mask_utils.merge(rles) if isinstance(rles, list) else rles)
            except (TypeError, ValueError, IndexError) as error:
                raise ValueError(f"'{ann_file}': image '{image['file_name']}' has a segmentation that is neither "
                                 f'polygons nor RLE ({error})') from error
        names.append(image['file_name'])
        masks.append(F.interpolate(torch.from_numpy(mask)[None, None].float(), size=(size, size),
                                   mode='nearest')[0, 0].byte())
    return names, torch.stack(masks)


@torch.no_grad()
def token_grid(backbone: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) normalised images -> the last block's patch tokens as a (B, C, h, w) grid."""
    tokens = unmasked_outputs(backbone, inputs)[-1]
    if tokens.dim() != 3:
        raise ValueError(f"the backbone returns shape {tuple(tokens.shape)}, not token sequences; build it with "
                         "out_type='raw'")
    _, patch_tokens = split_tokens(tokens, getattr(backbone, 'num_extra_tokens', 1))
    stride = backbone.patch_embed.projection.stride
    grid = inputs.shape[-2] // stride[0], inputs.shape[-1] // stride[1]
    return patch_tokens.transpose(1, 2).reshape(patch_tokens.shape[0], -1, *grid)


def confusion(pred: torch.Tensor, target: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(num_classes, num_classes) pixel counts, rows = target class, columns = predicted class."""
    index = target.flatten().long() * num_classes + pred.flatten().long()
    return torch.bincount(index, minlength=num_classes**2).reshape(num_classes, num_classes)


def iou_scores(pred: torch.Tensor, target: torch.Tensor, num_classes: int = 2) -> Dict[str, float]:
    """Per-class IoU (%), their mean ``mIoU`` and pixel accuracy over all pixels of all images."""
    counts = confusion(pred, target, num_classes).double()
    true_positive = counts.diag()
    union = counts.sum(0) + counts.sum(1) - true_positive
    ious = 100.0 * true_positive / union.clamp(min=1)
    scores = {f'iou_{c}': float(ious[c]) for c in range(num_classes)}
    scores['mIoU'] = float(ious.mean())
    scores['pixel_acc'] = float(100.0 * true_positive.sum() / counts.sum())
    return scores


class DenseLinearProbe(nn.Module):
    """Standardise each channel (statistics of the training tokens), then one linear map per token."""

    def __init__(self, channels: int, num_classes: int, mean: torch.Tensor, std: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer('mean', mean.view(1, -1, 1, 1))
        self.register_buffer('std', std.view(1, -1, 1, 1))
        self.classifier = nn.Conv2d(channels, num_classes, kernel_size=1)

    def forward(self, grid: torch.Tensor, size: Tuple[int, int]) -> torch.Tensor:
        """(B, C, h, w) tokens -> (B, num_classes, *size) logits."""
        logits = self.classifier((grid - self.mean) / self.std)
        return F.interpolate(logits, size=size, mode='bilinear', align_corners=False)


def fit_dense_probe(grids: torch.Tensor,
                    masks: torch.Tensor,
                    num_classes: int = 2,
                    steps: int = 300,
                    lr: float = 0.05,
                    weight_decay: float = 1e-4,
                    batch_size: int = 64,
                    seed: int = 0) -> DenseLinearProbe:
    """Fit :class:`DenseLinearProbe` with AdamW on fixed token grids (N, C, h, w) and masks (N, H, W)."""
    generator = torch.Generator().manual_seed(seed)
    channels = grids.shape[1]
    flat = grids.transpose(0, 1).reshape(channels, -1)
    probe = DenseLinearProbe(channels, num_classes, flat.mean(dim=1), flat.std(dim=1).clamp(min=1e-6))
    nn.init.zeros_(probe.classifier.weight)
    nn.init.zeros_(probe.classifier.bias)
    optimizer = torch.optim.AdamW(probe.parameters(), lr=lr, weight_decay=weight_decay)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    size = tuple(masks.shape[-2:])
    for _ in range(steps):
        chosen = torch.randperm(len(grids), generator=generator)[:batch_size]
        loss = F.cross_entropy(probe(grids[chosen], size), masks[chosen].long())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
    return probe


@torch.no_grad()
def evaluate_dense_probe(probe: DenseLinearProbe, grids: torch.Tensor, masks: torch.Tensor,
                         num_classes: int = 2) -> Dict[str, float]:
    """:func:`iou_scores` of the probe's per-pixel predictions on held-out grids and masks."""
    pred = torch.cat([probe(grids[i:i + 64], tuple(masks.shape[-2:])).argmax(dim=1)
                      for i in range(0, len(grids), 64)])
    return iou_scores(pred, masks, num_classes)


@torch.no_grad()
def extract_token_grids(model: nn.Module, data_root: str, names: List[str], size: int, flip: bool = False,
                        batch_size: int = 16) -> torch.Tensor:
    """Token grids (N, C, h, w) of the named images of ``data_root/images``, resized to ``size`` squared (mirrored
    with ``flip``), through the model's data preprocessor (normalisation only) and backbone; with a progress bar."""
    import mmcv
    from mmengine.utils import ProgressBar
    grids, progress = [], ProgressBar(len(names))
    for start in range(0, len(names), batch_size):
        images = []
        for name in names[start:start + batch_size]:
            path = osp.join(data_root, 'images', name)
            image = mmcv.imread(path, channel_order='bgr')
            if image is None:
                raise MissingInputError(f"image '{path}' (listed in the annotations) cannot be read; restore it or "
                                        'remove it from the annotation file')
            image = torch.from_numpy(mmcv.imresize(image, (size, size))).permute(2, 0, 1)
            images.append(image.flip(-1) if flip else image)
        # one view, as a list of view batches: what both cledi's MultiViewPreprocessor and MMPretrain's
        # SelfSupDataPreprocessor (the PIL-path configs) normalise without augmenting
        inputs = model.data_preprocessor(dict(inputs=[torch.stack(images)], data_samples=None), False)['inputs'][0]
        grids.append(token_grid(model.backbone, inputs))
        for _ in images:
            progress.update()
    sys.stdout.write('\n')
    return torch.cat(grids)


def run_dense_probe(model: nn.Module, data_root: str, input_size: int = 128, mask_size: int = 128, steps: int = 300,
                    lr: float = 0.05, flip: bool = True, seed: int = 0) -> Dict[str, float]:
    """The whole probe on a Penn-Fudan-style folder (``images/``, ``annotations/{train,val}.json``): token grids of
    the training images (and their mirror images), a per-token linear classifier fitted on them, val mIoU.

    Returns:
        ``mIoU``, ``iou_0``, ``iou_1``, ``pixel_acc`` on val, ``train_mIoU`` and the wall time ``seconds``.
    """
    start = time.time()
    names, masks = {}, {}
    for split in ('train', 'val'):
        names[split], masks[split] = load_instance_masks(osp.join(data_root, 'annotations', f'{split}.json'),
                                                         mask_size)
    train_grids = extract_token_grids(model, data_root, names['train'], input_size)
    train_masks = masks['train']
    if flip:  # the tokens of a mirrored image are not the mirrored tokens: extract them
        train_grids = torch.cat([train_grids, extract_token_grids(model, data_root, names['train'], input_size, True)])
        train_masks = torch.cat([train_masks, train_masks.flip(-1)])
    val_grids = extract_token_grids(model, data_root, names['val'], input_size)
    probe = fit_dense_probe(train_grids, train_masks, steps=steps, lr=lr, seed=seed)
    scores = evaluate_dense_probe(probe, val_grids, masks['val'])
    scores.update(train_mIoU=evaluate_dense_probe(probe, train_grids, train_masks)['mIoU'],
                  seconds=time.time() - start, grid=list(val_grids.shape[-2:]))
    return scores
