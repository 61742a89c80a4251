"""Geometry of the location-matched regions: source boxes in view token coordinates, overlap grids, pooling."""
import pytest
import torch

from cledi.models.utils import matched_regions, pool_regions, source_to_view

GRID = (8, 8)


def test_source_box_in_view_tokens_plain_and_mirrored():
    crop = torch.tensor([[8.0, 4.0, 24.0, 20.0]])  # 16 x 16 source pixels -> 8 x 8 tokens: 2 pixels per token
    box = torch.tensor([[[8.0, 4.0, 16.0, 12.0]]])  # the crop's top-left quarter
    assert source_to_view(box, crop, torch.tensor([False]), GRID).tolist() == [[[0.0, 0.0, 4.0, 4.0]]]
    assert source_to_view(box, crop, torch.tensor([True]), GRID).tolist() == [[[4.0, 0.0, 8.0, 4.0]]]


def test_identical_views_give_the_quadrants_in_both():
    crop = torch.tensor([0.0, 0.0, 32.0, 32.0])
    boxes, valid, matched = matched_regions(torch.stack([crop, crop])[None], torch.tensor([[False, False]]), GRID,
                                            regions=2, min_overlap=0.2)
    quadrants = [[0, 0, 4, 4], [4, 0, 8, 4], [0, 4, 4, 8], [4, 4, 8, 8]]
    assert boxes[0, 0].tolist() == quadrants and boxes[0, 1].tolist() == quadrants
    assert valid.tolist() == [[True] * 4] and matched.tolist() == [True]


def test_mirrored_second_view_keeps_region_order_by_source_location():
    crop = torch.tensor([0.0, 0.0, 32.0, 32.0])
    boxes, _, _ = matched_regions(torch.stack([crop, crop])[None], torch.tensor([[False, True]]), GRID, 2, 0.2)
    # region 0 is the source's top-left quarter: top-right in the mirrored view
    assert boxes[0, 1].tolist() == [[4, 0, 8, 4], [0, 0, 4, 4], [4, 4, 8, 8], [0, 4, 4, 8]]


def test_half_overlap_is_cut_into_regions_hand_computed():
    crops = torch.tensor([[[0.0, 0.0, 16.0, 16.0], [8.0, 0.0, 24.0, 16.0]]])  # overlap x 8-16: half of each view
    boxes, valid, matched = matched_regions(crops, torch.tensor([[False, False]]), GRID, 2, 0.2)
    assert matched.tolist() == [True] and valid.all()
    # source cuts x 8, 12, 16 and y 0, 8, 16; 0.5 tokens per pixel; view 2 starts at x = 8
    assert boxes[0, 0].tolist() == [[4, 0, 6, 4], [6, 0, 8, 4], [4, 4, 6, 8], [6, 4, 8, 8]]
    assert boxes[0, 1].tolist() == [[0, 0, 2, 4], [2, 0, 4, 4], [0, 4, 2, 8], [2, 4, 4, 8]]


def test_small_overlap_falls_back_to_one_whole_view_region():
    crops = torch.tensor([[[0.0, 0.0, 16.0, 16.0], [14.0, 14.0, 30.0, 30.0]],  # overlap 2 x 2 px: 1.6 %
                          [[0.0, 0.0, 16.0, 16.0], [20.0, 20.0, 30.0, 30.0]]])  # no overlap at all
    boxes, valid, matched = matched_regions(crops, torch.zeros(2, 2, dtype=torch.bool), GRID, 2, 0.2)
    assert matched.tolist() == [False, False]
    assert valid.tolist() == [[True, False, False, False]] * 2
    assert (boxes[:, :, 0] == torch.tensor([0.0, 0.0, 8.0, 8.0])).all()
    # the same pair passes with a lower threshold
    _, _, matched = matched_regions(crops[:1], torch.zeros(1, 2, dtype=torch.bool), GRID, 2, 0.01)
    assert matched.tolist() == [True]


def test_pooling_whole_tokens_is_their_exact_mean():
    values = torch.arange(64.0).view(1, 64, 1)  # token (i, j) holds 8 i + j
    boxes = torch.tensor([[[0.0, 0.0, 2.0, 2.0], [4.0, 0.0, 8.0, 4.0], [0.0, 0.0, 8.0, 8.0]]])
    pooled = pool_regions(values, boxes, GRID)
    assert pooled.squeeze(-1).tolist() == [[4.5, 17.5, 31.5]]  # mean of 0, 1, 8, 9; rows 0-3 x cols 4-7; all


def test_a_view_and_its_mirror_image_pool_to_the_same_regions():
    torch.manual_seed(0)
    tokens = torch.randn(2, 64, 5)
    mirrored = tokens.view(2, 8, 8, 5).flip(2).reshape(2, 64, 5)
    crops = torch.tensor([[0.0, 3.0, 20.0, 27.0]]).repeat(2, 2, 1)
    boxes, valid, _ = matched_regions(crops, torch.tensor([[False, True]] * 2), GRID, 3, 0.2)
    first, second = pool_regions(tokens, boxes[:, 0], GRID), pool_regions(mirrored, boxes[:, 1], GRID)
    assert valid.all()
    torch.testing.assert_close(first, second)


def test_pooling_checks_the_grid():
    with pytest.raises(ValueError, match='4x4 token grid needs 16'):
        pool_regions(torch.zeros(1, 15, 2), torch.zeros(1, 1, 4), (4, 4))


def test_real_view_crops_of_a_ramp_pool_to_the_same_regions():
    """End to end: two real ViewAugmentation crops (with flips) of an image whose pixels hold their own x / y
    coordinates, turned into 8 x 8 token grids (the mean of each 4 x 4 patch, a ViT's patch 4 at 32 px), cut by
    matched_regions into the overlap's 2 x 2 regions and pooled by pool_regions: region k of view 1 and region k of
    view 2 show the same source pixels, so their pooled coordinates agree."""
    import torch.nn.functional as F

    from cledi.models.data_preprocessors import ViewAugmentation
    size = 32
    ys, xs = torch.meshgrid(torch.arange(size, dtype=torch.float32), torch.arange(size, dtype=torch.float32),
                            indexing='ij')
    ramp = torch.stack([xs, ys, torch.zeros_like(xs)]).expand(64, -1, -1, -1).contiguous()
    torch.manual_seed(0)
    views, boxes, flips = [], [], []
    for _ in range(2):
        view, box, flip = ViewAugmentation(size=size, jitter=None, grayscale_prob=0.0)(ramp / 255)
        views.append(view * 255)
        boxes.append(box)
        flips.append(flip)
    crop_boxes, flip_flags = torch.stack(boxes, dim=1), torch.stack(flips, dim=1)
    region_boxes, valid, matched = matched_regions(crop_boxes, flip_flags, (8, 8), 2, 0.2)
    assert matched.sum() > 40 and flip_flags.any() and not flip_flags.all()
    pooled = []
    for index, view in enumerate(views):
        tokens = F.avg_pool2d(view, 4).flatten(2).transpose(1, 2)  # (B, 64, 3): patch means, row-major
        pooled.append(pool_regions(tokens, region_boxes[:, index], (8, 8)))  # (B, 4, 3)
    agree = valid & matched[:, None]
    difference = (pooled[0] - pooled[1])[agree][:, :2].abs()
    assert difference.max() < 0.5, difference.max()  # source pixels; regions are 4-16 px wide
    # and they are different places: the four regions of a pair do not pool to one point
    spread = pooled[0][matched][:, :, :2].std(dim=1).mean()
    assert spread > 1.0
