import os.path as osp
import shutil

import numpy as np
import pytest
from mmengine.registry import init_default_scope

from cledi.datasets import LoadImageFromFile, SklearnDigits


def test_digits_are_real_labelled_32px_rgb():
    from sklearn.datasets import load_digits
    train, test = SklearnDigits(split='train'), SklearnDigits(split='test')
    assert len(train) == 1348 and len(test) == 449
    sample = train[0]
    assert sample['img'].shape == (32, 32, 3) and sample['img'].dtype == np.uint8
    assert sample['img'].max() > 200 and sample['img'].min() == 0
    # test image 0 is scikit-learn's image 3 (every 4th one, index % 4 == 3), a 3: its 8 x 8 grey levels x 255 / 16,
    # upscaled 4x; an area downscale gives the 8 x 8 image back to within the bicubic interpolation's overshoot
    digits = load_digits()
    first = test.get_data_info(0)
    assert (first['digit_index'], first['gt_label']) == (3, int(digits.target[3])) == (3, 3)
    image = test[0]['img']
    assert (image[..., 0] == image[..., 1]).all() and (image[..., 1] == image[..., 2]).all()
    back = image[..., 0].astype(float).reshape(8, 4, 8, 4).mean(axis=(1, 3))
    assert np.abs(back - digits.images[3] * 255 / 16).max() < 40
    labels = {test.get_data_info(i)['gt_label'] for i in range(len(test))}
    assert labels == set(range(10))
    assert not {train.get_data_info(i)['digit_index'] for i in range(len(train))} & \
        {test.get_data_info(i)['digit_index'] for i in range(len(test))}


def test_digits_bad_split():
    with pytest.raises(ValueError, match="'val'"):
        SklearnDigits(split='val')


def test_loads_a_real_image(cifar10_root):
    """The decoded pixels are OpenCV's of the same file (BGR, as MMCV's loaders give them)."""
    import cv2
    path = osp.join(cifar10_root, 'train', 'cat', '0000.jpg')
    results = LoadImageFromFile()(dict(img_path=path))
    assert results['img'].shape == (32, 32, 3) and results['img_shape'] == (32, 32)
    np.testing.assert_array_equal(results['img'], cv2.imread(path, cv2.IMREAD_COLOR))


def test_corrupt_image_names_the_file(tmp_path, cifar10_root):
    # a real JPEG cut in half, inside an image folder used by the pre-training dataset
    folder = tmp_path / 'images' / 'cat'
    folder.mkdir(parents=True)
    shutil.copy(osp.join(cifar10_root, 'train', 'cat', '0000.jpg'), folder / 'good.jpg')
    data = open(osp.join(cifar10_root, 'train', 'cat', '0001.jpg'), 'rb').read()
    (folder / 'broken.jpg').write_bytes(data[:40])

    from mmpretrain.registry import DATASETS
    init_default_scope('mmpretrain')
    dataset = DATASETS.build(dict(
        type='CustomDataset', data_root=str(tmp_path / 'images'), ann_file='', data_prefix='', with_label=False,
        pipeline=[dict(type='cledi.LoadImageFromFile'), dict(type='PackInputs')]))
    index = [i for i in range(len(dataset)) if dataset.get_data_info(i)['img_path'].endswith('broken.jpg')][0]
    with pytest.raises(OSError, match=r"cannot read image file '.*broken\.jpg'.*replace or delete it"):
        dataset[index]


def test_color_jitter_hue_works_for_negative_factors(cifar10_root):
    import mmcv

    from cledi.datasets import ColorJitter, adjust_hue
    img = mmcv.imread(osp.join(cifar10_root, 'train', 'frog', '0000.jpg'))
    # positive shifts: identical to MMCV
    np.testing.assert_array_equal(adjust_hue(img, 0.3), mmcv.adjust_hue(img, 0.3, backend='cv2'))
    # negative shifts (MMCV 2.1.0 + NumPy 2 raise OverflowError): the inverse rotation, up to HSV rounding
    back = adjust_hue(adjust_hue(img, 0.2), -0.2).astype(int)
    assert np.abs(back - img.astype(int)).mean() < 3.0
    jitter = ColorJitter(hue=(-0.5, -0.1))
    out = jitter(dict(img=img.copy()))['img']
    assert out.shape == img.shape and not np.array_equal(out, img)


def test_coco_images_lists_only_the_given_split(pennfudan_root):
    from cledi.datasets import CocoImages
    train = CocoImages(data_root=pennfudan_root, ann_file='annotations/train.json', data_prefix='images',
                       pipeline=[dict(type='cledi.LoadImageFromFile')])
    val = CocoImages(data_root=pennfudan_root, ann_file='annotations/val.json', data_prefix='images')
    assert len(train) == 120 and len(val) == 50  # the README's split
    paths = {train.get_data_info(i)['img_path'] for i in range(len(train))}
    assert not paths & {val.get_data_info(i)['img_path'] for i in range(len(val))}
    assert all(osp.isfile(p) for p in paths)
    image = train[0]['img']
    assert image.ndim == 3 and image.shape[2] == 3 and min(image.shape[:2]) > 100  # real street photos
    with pytest.raises(FileNotFoundError, match='data_root'):
        CocoImages(data_root=pennfudan_root, ann_file='annotations/missing.json', data_prefix='images')
