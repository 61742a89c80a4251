"""cledi.MultiViewPreprocessor: per-image random views of the recipe, made in batches, with their geometry."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmpretrain.structures import DataSample
from torchvision.transforms import RandomResizedCrop

from cledi.models.data_preprocessors import MultiViewPreprocessor, ViewAugmentation

from ..conftest import REPO_ROOT

FAST_DATA = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets', 'cifar10_folder.py')


def recipe_preprocessor(**overrides) -> MultiViewPreprocessor:
    """The preprocessor exactly as the CIFAR fast-path configs build it."""
    cfg = dict(Config.fromfile(FAST_DATA).data_preprocessor, **overrides)
    cfg.pop('type')
    return MultiViewPreprocessor(**cfg)


def colourful_batch(batch_size: int, size: int = 32) -> torch.Tensor:
    """uint8 (B, 3, H, W) images with distinct colours in every pixel (so grayscale and jitter are visible)."""
    generator = torch.Generator().manual_seed(0)
    return torch.randint(0, 256, (batch_size, 3, size, size), dtype=torch.uint8, generator=generator)


def batch_of(images: torch.Tensor) -> dict:
    return dict(inputs=images, data_samples=[DataSample() for _ in range(len(images))])


def test_each_image_gets_its_own_views_and_a_seed_reproduces_them():
    torch.manual_seed(3)
    preprocessor = recipe_preprocessor()
    same_image = colourful_batch(1).expand(8, -1, -1, -1).contiguous()  # one image, eight times
    first = preprocessor(batch_of(same_image), training=True)
    view1 = first['inputs'][0]
    assert len(first['inputs']) == 2 and view1.shape == (8, 3, 32, 32) and view1.dtype == torch.float32
    boxes = torch.stack([sample.crop_boxes for sample in first['data_samples']])  # (8, 2, 4)
    assert len({tuple(box.tolist()) for box in boxes[:, 0]}) > 4  # different crops of the same image
    assert not torch.allclose(view1[0], view1[1])
    second = preprocessor(batch_of(same_image), training=True)  # the next batch of the stream: other views
    assert not torch.allclose(second['inputs'][0], view1)

    # a run with the same seed draws the same views batch for batch, whatever the global stream does meanwhile
    torch.manual_seed(3)
    again = recipe_preprocessor()
    torch.rand(1000)  # e.g. a model that draws random numbers between batches
    repeat = again(batch_of(same_image), training=True)
    torch.testing.assert_close(repeat['inputs'][0], view1)
    torch.testing.assert_close(repeat['inputs'][1], first['inputs'][1])
    # and drawing views leaves the global stream where it was
    state = torch.get_rng_state()
    again(batch_of(same_image), training=True)
    assert torch.equal(torch.get_rng_state(), state) and int(again.batches_drawn) == 2
    # the batch counter is model state: a checkpoint round trip continues the stream
    restored = recipe_preprocessor(seed=again.seed)
    restored.load_state_dict(preprocessor.state_dict())
    torch.testing.assert_close(restored(batch_of(same_image), training=True)['inputs'][0],
                               again(batch_of(same_image), training=True)['inputs'][0])


def test_local_views_are_small_crops_with_their_own_boxes():
    """Local views: 16 px crops of 5-40 % of the image, with boxes hand-checked on a ramp image (each pixel of a
    view shows the source coordinates its box and flip map it to)."""
    size, out = 32, 16
    ys, xs = torch.meshgrid(torch.arange(size, dtype=torch.float32), torch.arange(size, dtype=torch.float32),
                            indexing='ij')
    ramp = torch.stack([xs, ys, xs + ys]).expand(8, -1, -1, -1).contiguous()
    geometry_only = dict(jitter=None, grayscale_prob=0.0)
    preprocessor = MultiViewPreprocessor(
        views=[dict(size=size, **geometry_only)] * 2, local_view=dict(size=out, crop_scale=(0.05, 0.4), **geometry_only),
        num_local_views=4, mean=[0, 0, 0], std=[1, 1, 1], to_rgb=False, seed=0)
    data = preprocessor(batch_of(ramp), training=True)  # mean 0, std 1 (of 0-255 units): views keep the values
    views = data['inputs']
    assert [tuple(v.shape[-2:]) for v in views] == [(32, 32)] * 2 + [(16, 16)] * 4
    boxes = torch.stack([s.crop_boxes for s in data['data_samples']])  # (8, 6, 4)
    flips = torch.stack([s.flips for s in data['data_samples']])
    assert boxes.shape == (8, 6, 4) and flips.shape == (8, 6)
    local_area = ((boxes[:, 2:, 2] - boxes[:, 2:, 0]) * (boxes[:, 2:, 3] - boxes[:, 2:, 1])) / size**2
    assert local_area.max() <= 0.4 + 0.05 and local_area.min() >= 0.05 - 0.02
    for image in range(8):
        for view in range(2, 6):
            x1, y1, x2, y2 = boxes[image, view].tolist()
            centres = (torch.arange(out) + 0.5) / out
            expect_x = x1 + centres * (x2 - x1) - 0.5  # pixel centre k has value k
            expect_y = y1 + centres * (y2 - y1) - 0.5
            if flips[image, view]:
                expect_x = expect_x.flip(0)
            # the bins wholly inside the image (roi_align clamps samples past the border)
            half_x, half_y = (x2 - x1) / out / 2, (y2 - y1) / out / 2
            inside_x = (expect_x - half_x >= 0) & (expect_x + half_x <= size - 1)
            inside_y = (expect_y - half_y >= 0) & (expect_y + half_y <= size - 1)
            assert inside_x.sum() >= out // 2 and inside_y.sum() >= out // 2
            torch.testing.assert_close(views[view][image, 0, out // 2, inside_x], expect_x[inside_x], atol=1e-3,
                                       rtol=0)
            torch.testing.assert_close(views[view][image, 1, inside_y, out // 2], expect_y[inside_y], atol=1e-3,
                                       rtol=0)
    with pytest.raises(ValueError, match='num_local_views=2 needs local_view'):
        MultiViewPreprocessor(views=[dict(size=32)] * 2, num_local_views=2, mean=[0, 0, 0], std=[1, 1, 1])


def test_statistics_match_the_recipe():
    preprocessor = recipe_preprocessor()
    view1_aug, view2_aug = preprocessor.views
    images = colourful_batch(4000).float() / 255
    torch.manual_seed(0)
    reference = [RandomResizedCrop.get_params(images[0], [0.2, 1.0], [3 / 4, 4 / 3]) for _ in range(4000)]
    reference_area = sum(h * w for _, _, h, w in reference) / (32 * 32 * len(reference))
    rates = {}
    for name, aug in (('view1', view1_aug), ('view2', view2_aug)):
        view, boxes, flips = aug(images)
        width, height = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
        area = width * height / (32 * 32)
        aspect = width / height
        # sizes are rounded to whole pixels, which moves the area and aspect slightly past the sampled range
        assert area.min() >= 0.2 - 0.03 and area.max() <= 1.0
        assert aspect.min() >= 3 / 4 - 0.1 and aspect.max() <= 4 / 3 + 0.1
        # the distribution of the PIL path's RandomResizedCrop (torchvision's algorithm: 10 tries, then centre)
        assert area.mean() == pytest.approx(reference_area, abs=0.015)
        assert (boxes[:, :2] >= 0).all() and (boxes[:, 2] <= 32).all() and (boxes[:, 3] <= 32).all()
        grey = (view.max(dim=1).values - view.min(dim=1).values).flatten(1).max(dim=1).values < 1e-6
        applied = {type(op).__name__: op._params['batch_prob'].float().mean().item() for op in aug.photometric}
        rates[name] = dict(flip=flips.float().mean().item(), grey=grey.float().mean().item(), **applied)
    for name in ('view1', 'view2'):
        assert rates[name]['flip'] == pytest.approx(0.5, abs=0.03)
        assert rates[name]['ColorJitter'] == pytest.approx(0.8, abs=0.03)
        assert rates[name]['RandomGrayscale'] == pytest.approx(0.2, abs=0.03)
        assert rates[name]['grey'] == pytest.approx(0.2, abs=0.03)  # and grayscale really makes grey images
    assert 'RandomSolarize' not in rates['view1']
    assert rates['view2']['RandomSolarize'] == pytest.approx(0.2, abs=0.03)


def test_boxes_and_flips_say_where_each_view_came_from():
    # a source whose channels are its own x and y pixel-centre coordinates: a view of it must show, in every
    # pixel, the source coordinates the box and flip map that pixel to (bilinear of a linear ramp is exact)
    size, out = 32, 16
    ys, xs = torch.meshgrid(torch.arange(size, dtype=torch.float32), torch.arange(size, dtype=torch.float32),
                            indexing='ij')
    source = torch.stack([xs, ys, xs + ys]).expand(64, -1, -1, -1)
    aug = ViewAugmentation(size=out, jitter=None, grayscale_prob=0.0)  # geometry only
    torch.manual_seed(1)
    boxes = aug.sample_boxes(source)
    flips = torch.rand(64) < 0.5
    view = aug.crop(source, boxes, flips)
    assert flips.any() and (~flips).any()
    for index in range(64):
        x1, y1, x2, y2 = boxes[index].tolist()
        centres = (torch.arange(out) + 0.5) / out
        expect_x = x1 + centres * (x2 - x1) - 0.5  # pixel centre k has value k
        expect_y = y1 + centres * (y2 - y1) - 0.5
        if flips[index]:
            expect_x = expect_x.flip(0)
        # compare the bins that lie wholly inside the image (roi_align clamps samples past the border)
        half_x, half_y = (x2 - x1) / out / 2, (y2 - y1) / out / 2
        inside_x = (expect_x - half_x >= 0) & (expect_x + half_x <= size - 1)
        inside_y = (expect_y - half_y >= 0) & (expect_y + half_y <= size - 1)
        assert inside_x.sum() >= out // 2 and inside_y.sum() >= out // 2
        torch.testing.assert_close(view[index, 0, 0, inside_x], expect_x[inside_x], atol=1e-3, rtol=0)
        torch.testing.assert_close(view[index, 1, inside_y, 0], expect_y[inside_y], atol=1e-3, rtol=0)


def test_a_whole_image_box_without_flip_is_the_image():
    images = colourful_batch(4).float()
    aug = ViewAugmentation(size=32, jitter=None, grayscale_prob=0.0)
    boxes = torch.tensor([[0.0, 0.0, 32.0, 32.0]]).expand(4, -1)
    torch.testing.assert_close(aug.crop(images, boxes, torch.zeros(4, dtype=torch.bool)), images)
    torch.testing.assert_close(aug.crop(images, boxes, torch.ones(4, dtype=torch.bool)), images.flip(-1))


def test_preprocessor_returns_the_geometry_and_normalises():
    preprocessor = recipe_preprocessor()
    images = colourful_batch(6)
    data = preprocessor(batch_of(images), training=True)
    for sample in data['data_samples']:
        assert sample.crop_boxes.shape == (2, 4) and sample.flips.shape == (2, ) and sample.flips.dtype == torch.bool
    # outside training: the images only normalised, BGR -> RGB, like MMPretrain's SelfSupDataPreprocessor
    plain = preprocessor(batch_of(images), training=False)['inputs']
    mean = torch.tensor([123.675, 116.28, 103.53]).view(1, 3, 1, 1)
    std = torch.tensor([58.395, 57.12, 57.375]).view(1, 3, 1, 1)
    torch.testing.assert_close(plain, (images.flip(1).float() - mean) / std, atol=1e-4, rtol=1e-4)
    # views made by the PIL pipeline (a list of two batches) are normalised the same way
    views = preprocessor(dict(inputs=[images, images], data_samples=None), training=True)['inputs']
    torch.testing.assert_close(views[1], plain)


def test_bad_view_config_is_an_error_naming_it():
    with pytest.raises(ValueError, match='solarize_prob must be a probability'):
        ViewAugmentation(size=32, solarize_prob=1.5)
    with pytest.raises(ValueError, match='exactly two global view configs'):
        MultiViewPreprocessor(views=[dict(size=32)], mean=[0, 0, 0], std=[1, 1, 1])
