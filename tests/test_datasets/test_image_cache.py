"""cledi.DecodedImageCache: images decoded once, reused without reading files, rebuilt when the list changes."""
import os
import os.path as osp
import shutil

import cv2
import mmcv
import numpy as np
import pytest
from mmengine.registry import init_default_scope

from cledi.datasets import DecodedImageCache


@pytest.fixture
def small_folder(tmp_path, cifar10_root):
    """20 real CIFAR-10 JPEGs in a class-folder copy, with a labelled list."""
    with open(osp.join(cifar10_root, 'meta', 'train_10pct.txt')) as f:
        lines = [line for line in f.read().splitlines()][::250][:20]
    for line in lines:
        relative = line.split()[0]
        os.makedirs(tmp_path / 'data' / 'train' / osp.dirname(relative), exist_ok=True)
        shutil.copy(osp.join(cifar10_root, 'train', relative), tmp_path / 'data' / 'train' / relative)
    os.makedirs(tmp_path / 'data' / 'meta')
    (tmp_path / 'data' / 'meta' / 'list.txt').write_text('\n'.join(lines) + '\n')
    return tmp_path


def build(folder, ann_file='meta/list.txt'):
    init_default_scope('mmpretrain')  # the scope of the configs, where CustomDataset and PackInputs live
    return DecodedImageCache(
        dataset=dict(type='CustomDataset', data_root=str(folder / 'data'), ann_file=ann_file, data_prefix='train',
                     with_label=True),
        cache_dir=str(folder / 'cache'))


def test_items_are_the_decoded_images_and_a_later_run_decodes_nothing(small_folder, monkeypatch):
    dataset = build(small_folder)
    assert len(dataset) == 20 and osp.isfile(dataset.cache_file)
    paths = [info['img_path'] for info in dataset.infos]
    expected = [mmcv.imread(path) for path in paths]
    labels = dataset.labels()

    def no_reads(*args, **kwargs):
        raise AssertionError('an image file was decoded although the cache is up to date')

    monkeypatch.setattr(mmcv, 'imread', no_reads)  # from now on, decoding an image file fails the test
    for epoch in range(2):
        reopened = build(small_folder)  # a new run finds the cache: no decoding, no file reads
        assert reopened.cache_file == dataset.cache_file
        for index in range(len(reopened)):
            item = reopened[index]
            np.testing.assert_array_equal(item['inputs'].permute(1, 2, 0).numpy(), expected[index])
            assert int(item['data_samples'].gt_label) == labels[index]


def test_a_changed_annotation_file_builds_a_new_cache(small_folder):
    first = build(small_folder)
    ann_file = small_folder / 'data' / 'meta' / 'list.txt'
    ann_file.write_text('\n'.join(ann_file.read_text().splitlines()[:10]) + '\n')
    second = build(small_folder)
    assert second.cache_file != first.cache_file and osp.isfile(second.cache_file)
    assert len(second) == 10 and np.load(second.cache_file, mmap_mode='r').shape == (10, 32, 32, 3)


def test_an_image_replaced_in_place_is_served_new(small_folder):
    """The same list and file names, one image replaced by another of the same size: the next build serves the
    new pixels, not the old decoded copy."""
    first = build(small_folder)
    replaced = first.infos[5]['img_path']
    new_pixels = mmcv.imread(first.infos[6]['img_path'])
    mmcv.imwrite(new_pixels, replaced)
    second = build(small_folder)
    assert second.cache_file != first.cache_file
    np.testing.assert_array_equal(second[5]['inputs'].permute(1, 2, 0).numpy(), mmcv.imread(replaced))
    assert not np.array_equal(second[5]['inputs'].numpy(), first[5]['inputs'].numpy())


def test_an_image_replaced_with_its_size_and_time_kept_is_served_new(small_folder):
    """``cp -p`` of another image of the same byte size over a listed file keeps its size and modification time;
    the cache is keyed by the bytes, so the next build serves the new pixels."""
    images = build(small_folder).infos
    replaced, other = images[5]['img_path'], images[6]['img_path']
    for path in (replaced, other):  # uncompressed 32 x 32 BMP content: every such file has the same size
        ok, data = cv2.imencode('.bmp', mmcv.imread(path))
        open(path, 'wb').write(data.tobytes())
    first = build(small_folder)
    stat = os.stat(replaced)
    shutil.copyfile(other, replaced)
    os.utime(replaced, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (os.stat(replaced).st_size, os.stat(replaced).st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    second = build(small_folder)
    assert second.cache_file != first.cache_file
    np.testing.assert_array_equal(second[5]['inputs'].permute(1, 2, 0).numpy(), mmcv.imread(other))
    assert not np.array_equal(second[5]['inputs'].numpy(), first[5]['inputs'].numpy())


def test_a_corrupt_image_fails_the_build_naming_the_file(small_folder):
    dataset = build(small_folder)  # a complete cache of the good images exists
    bad = dataset.infos[7]['img_path']
    with open(bad, 'wb') as f:  # damaged in place, after the cache was built
        f.write(b'not a jpeg')
    with pytest.raises(OSError, match=f"cannot read image file '{bad}' while building the image cache"):
        build(small_folder)
    assert os.listdir(small_folder / 'cache') == [osp.basename(dataset.cache_file)]  # nothing half-written left


def test_images_of_different_sizes_need_image_size(small_folder):
    dataset = build(small_folder)
    shutil.rmtree(small_folder / 'cache')
    odd = dataset.infos[3]['img_path']
    mmcv.imwrite(np.zeros((40, 48, 3), np.uint8), odd)
    with pytest.raises(ValueError, match=r"is 48x40, but .* Set image_size=\(H, W\)"):
        build(small_folder)
    init_default_scope('mmpretrain')
    resized = DecodedImageCache(
        dataset=dict(type='CustomDataset', data_root=str(small_folder / 'data'), ann_file='meta/list.txt',
                     data_prefix='train', with_label=True),
        cache_dir=str(small_folder / 'cache'), image_size=32)
    assert resized[3]['inputs'].shape == (3, 32, 32)
