"""Block-wise masks of a patch grid (BEiT's and iBOT's masking of the student's views)."""
import math
import random
from typing import Sequence, Tuple

import torch


def block_mask(rows: int, cols: int, num_masked: int, rng: random.Random, min_patches: int = 4,
               min_aspect: float = 0.3) -> torch.Tensor:
    """A (rows, cols) bool mask made of random rectangles until about ``num_masked`` patches are masked.

    Each rectangle has a random area in ``[min_patches, patches still to mask]`` and a random aspect ratio
    (log-uniform in ``[min_aspect, 1 / min_aspect]``); it is kept when it adds at least one new patch and no more
    than are still to mask (10 tries each, then the mask is as it is).
    """
    mask = torch.zeros(rows, cols, dtype=torch.bool)
    count = 0
    while count < num_masked:
        budget = num_masked - count
        added = 0
        for _ in range(10):
            area = rng.uniform(min_patches, budget)
            aspect = math.exp(rng.uniform(math.log(min_aspect), -math.log(min_aspect)))
            height, width = round(math.sqrt(area * aspect)), round(math.sqrt(area / aspect))
            if 0 < height < rows and 0 < width < cols:
                top, left = rng.randint(0, rows - height), rng.randint(0, cols - width)
                new = height * width - int(mask[top:top + height, left:left + width].sum())
                if 0 < new <= budget:
                    mask[top:top + height, left:left + width] = True
                    added = new
                    break
        if added == 0:
            break
        count += added
    return mask


def sample_masks(batch: int, grid: Tuple[int, int], ratio: Sequence[float], probability: float,
                 rng: random.Random) -> torch.Tensor:
    """iBOT's masks of one view: each image is masked with ``probability``, a ratio drawn uniformly in ``ratio``
    of its patches, block-wise: (B, rows * cols) bool, row-major over the grid."""
    rows, cols = grid
    masks = torch.zeros(batch, rows * cols, dtype=torch.bool)
    for index in range(batch):
        if rng.random() < probability:
            num_masked = int(rng.uniform(*ratio) * rows * cols)
            masks[index] = block_mask(rows, cols, num_masked, rng).flatten()
    return masks
