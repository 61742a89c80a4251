"""One augmented view of the pre-training recipe, as both data paths read it (the fast path's
``ViewAugmentation`` and the PIL path's ``cledi.RecipeViews``)."""
from dataclasses import dataclass
from typing import Optional, Tuple


@dataclass(frozen=True)
class ViewRecipe:
    """The parameters of one view, checked: in the order applied, a random resized crop, colour jitter, grayscale,
    Gaussian blur, solarize, horizontal flip.

    Attributes:
        size (int): Output side in pixels.
        crop_scale (tuple): Area fraction range of the crop. Defaults to (0.2, 1.0).
        crop_ratio (tuple): Aspect (width / height) range. Defaults to (3/4, 4/3).
        flip_prob (float): Horizontal flip probability. Defaults to 0.5.
        jitter (dict, optional): ``brightness``, ``contrast``, ``saturation``, ``hue`` of the colour jitter.
        jitter_prob (float): Probability of the colour jitter. Defaults to 0.8.
        grayscale_prob (float): Defaults to 0.2.
        blur_prob (float): Gaussian blur probability. Defaults to 0 (none, as the CIFAR recipe).
        blur_sigma (tuple): Blur sigma range. Defaults to (0.1, 2.0).
        blur_kernel (int, optional): Odd kernel side of the fast path; defaults to about a tenth of ``size``.
        solarize_prob (float): Defaults to 0.
    """
    size: int
    crop_scale: Tuple[float, float] = (0.2, 1.0)
    crop_ratio: Tuple[float, float] = (3 / 4, 4 / 3)
    flip_prob: float = 0.5
    jitter: Optional[dict] = None
    jitter_prob: float = 0.8
    grayscale_prob: float = 0.2
    blur_prob: float = 0.0
    blur_sigma: Tuple[float, float] = (0.1, 2.0)
    blur_kernel: Optional[int] = None
    solarize_prob: float = 0.0

    def __post_init__(self) -> None:
        for name in ('flip_prob', 'jitter_prob', 'grayscale_prob', 'blur_prob', 'solarize_prob'):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f'{name} must be a probability in [0, 1], got {getattr(self, name)}')
        if not 0.0 < self.crop_scale[0] <= self.crop_scale[1] <= 1.0:
            raise ValueError(f'crop_scale must satisfy 0 < low <= high <= 1, got {self.crop_scale}')
        object.__setattr__(self, 'crop_scale', tuple(self.crop_scale))
        object.__setattr__(self, 'crop_ratio', tuple(self.crop_ratio))
        object.__setattr__(self, 'blur_sigma', tuple(self.blur_sigma))
