"""Decode a dataset's images once into a memory-mapped uint8 array, so an epoch does no JPEG work."""
import hashlib
import os
import os.path as osp
import time
from typing import List, Optional, Sequence, Tuple, Union

import mmcv
import numpy as np
from mmengine.dataset import Compose
from mmengine.logging import MMLogger
from torch.utils.data import Dataset

from cledi.registry import DATASETS, TRANSFORMS


@DATASETS.register_module()
class DecodedImageCache(Dataset):
    """Any image dataset, its images decoded once and kept in a memory-mapped ``(N, H, W, 3)`` uint8 file.

    For datasets that fit in memory (CIFAR, Tiny-ImageNet-sized folders): the first use decodes every image
    listed by the wrapped dataset (MMCV's decoder, BGR, as ``LoadImageFromFile``) into
    ``cache_dir/<name>-<key>.npy``; every later epoch, loader worker and run reads the array through the page
    cache. The key is a hash of the annotation file's contents, of ``image_size`` and of every image's path and
    bytes, so a changed annotation file, list or image file (replaced in place, even with its size and
    modification time kept, as ``cp -p`` does) builds a new cache, and an unchanged one is reused across runs.
    Hashing the bytes costs 0.06 s for the 5,000-image split and 0.6 s for 50,000 images from the page cache
    (0.8 s and 6.7 s from a cold disk; stating them, the former key, 0.02 s and 0.18 s), measured on a 2-core EPYC.
    The file is written under a temporary name and renamed when complete, so an interrupted build is never used.

    Each item is ``pipeline(dict(img=HxWx3 uint8, gt_label=..., img_path=..., ...))``; with
    ``pipeline=[dict(type='PackInputs')]`` the batch is a uint8 tensor for ``cledi.MultiViewPreprocessor`` (the
    fast path) or, for the kNN monitor, for any data preprocessor.

    Args:
        dataset (dict): The wrapped dataset (e.g. ``CustomDataset``), built without a pipeline; only its
            ``img_path`` / ``gt_label`` entries are used.
        pipeline (Sequence[dict]): Transforms applied to each cached image. Defaults to ``PackInputs``.
        cache_dir (str): Where cache files go. Defaults to ``$CLEDI_CACHE_DIR`` or ``~/.cache/cledi/images``.
        image_size (int | tuple, optional): Resize every image to this (height, width) when building the cache
            (needed when the images differ in size). Defaults to None: all images must have one size.
    """

    def __init__(self,
                 dataset: dict,
                 pipeline: Sequence[dict] = (dict(type='PackInputs'), ),
                 cache_dir: Optional[str] = None,
                 image_size: Optional[Union[int, Tuple[int, int]]] = None) -> None:
        dataset = dict(dataset, pipeline=[])
        self.dataset = DATASETS.build(dataset)
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()
        self.pipeline = Compose([TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline])
        self.cache_dir = osp.expanduser(cache_dir or os.environ.get('CLEDI_CACHE_DIR', '~/.cache/cledi/images'))
        self.image_size = (image_size, image_size) if isinstance(image_size, int) else image_size
        self.infos = [self.dataset.get_data_info(index) for index in range(len(self.dataset))]
        if not self.infos:
            raise ValueError(f'{type(self.dataset).__name__} lists no images; check its data_root and ann_file')
        self.cache_file = self._cache_path()
        if not osp.isfile(self.cache_file):
            self._build()
        self._images = None  # opened lazily in each process (a memmap is not shared through pickling)

    @property
    def metainfo(self) -> dict:
        return getattr(self.dataset, 'metainfo', {})

    def __len__(self) -> int:
        return len(self.infos)

    def _cache_path(self) -> str:
        ann_file = getattr(self.dataset, 'ann_file', '') or ''
        digest = hashlib.sha1()
        if osp.isfile(ann_file):
            with open(ann_file, 'rb') as f:
                digest.update(f.read())
        digest.update(repr(self.image_size).encode())
        for info in self.infos:  # each image by path and content: a file replaced in place builds a new cache
            path = osp.abspath(info['img_path'])  # even with its size and modification time kept (`cp -p`)
            digest.update(f'{path}|'.encode())
            if osp.isfile(path):
                with open(path, 'rb') as f:
                    digest.update(hashlib.blake2b(f.read(), digest_size=16).digest())
            else:
                digest.update(b'missing|')
        name = osp.splitext(osp.basename(ann_file))[0] if ann_file else type(self.dataset).__name__
        return osp.join(self.cache_dir, f'{name}-{len(self.infos)}-{digest.hexdigest()[:16]}.npy')

    def _decode(self, path: str) -> np.ndarray:
        try:
            image = mmcv.imread(path, flag='color', channel_order='bgr')
        except Exception as error:  # noqa: BLE001 - re-raised with the file name
            image, reason = None, f'{type(error).__name__}: {error}'
        else:
            reason = 'it decodes to nothing'
        if image is None:
            raise OSError(f"cannot read image file '{path}' while building the image cache ({reason}). The file "
                          'is missing, truncated or not an image: replace it or remove it from the annotation file. '
                          f'Nothing was written to {self.cache_dir}.')
        if self.image_size is not None:
            image = mmcv.imresize(image, (self.image_size[1], self.image_size[0]), interpolation='area')
        return image

    def _build(self) -> None:
        from cledi.engine.console import release_held_console
        release_held_console()  # a first build takes a while: its progress shows as it goes
        logger = MMLogger.get_current_instance()
        first = self._decode(self.infos[0]['img_path'])
        shape = (len(self.infos), *first.shape)
        logger.info(f'decoding {len(self.infos)} images once into {self.cache_file} '
                    f'({np.prod(shape) / 2**20:.0f} MiB)')
        os.makedirs(self.cache_dir, exist_ok=True)
        tmp_file = f'{self.cache_file}.{os.getpid()}.tmp.npy'
        try:
            images = np.lib.format.open_memmap(tmp_file, mode='w+', dtype=np.uint8, shape=shape)
            start, step = time.time(), max(1, len(self.infos) // 10)
            for index, info in enumerate(self.infos):
                image = first if index == 0 else self._decode(info['img_path'])
                if image.shape != first.shape:
                    raise ValueError(
                        f"image '{info['img_path']}' is {image.shape[1]}x{image.shape[0]}, but "
                        f"'{self.infos[0]['img_path']}' is {first.shape[1]}x{first.shape[0]}: a decoded-image "
                        'cache holds images of one size. Set image_size=(H, W) in cledi.DecodedImageCache to '
                        'resize them while caching, or use the PIL pipeline for datasets of varied sizes.')
                images[index] = image
                if (index + 1) % step == 0 and index + 1 < len(self.infos):
                    # ten log lines, not a terminal progress bar: this runs inside training, whose log is a file
                    elapsed = time.time() - start
                    eta = elapsed / (index + 1) * (len(self.infos) - index - 1)
                    logger.info(f'cached {index + 1}/{len(self.infos)} images, ETA {eta:.0f} s')
            images.flush()
            del images
            os.replace(tmp_file, self.cache_file)  # atomic: the cache exists only once complete
        finally:
            if osp.exists(tmp_file):
                os.remove(tmp_file)

    def images(self) -> np.ndarray:
        """The cached images, (N, H, W, 3) uint8 BGR, memory-mapped."""
        if self._images is None:
            self._images = np.load(self.cache_file, mmap_mode='r')
        return self._images

    def __getstate__(self) -> dict:
        return dict(self.__dict__, _images=None)

    def get_data_info(self, index: int) -> dict:
        info = dict(self.infos[index])
        image = np.array(self.images()[index])  # a writable copy (torch refuses to share read-only memory)
        info.update(img=image, img_shape=image.shape[:2], ori_shape=image.shape[:2], sample_idx=index)
        return info

    def __getitem__(self, index: int) -> dict:
        return self.pipeline(self.get_data_info(index))

    def labels(self) -> List[int]:
        """The ``gt_label`` of every item (for checks and the kNN bank)."""
        return [int(info['gt_label']) for info in self.infos]
