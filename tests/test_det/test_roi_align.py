"""SeparableRoIAlign: the same function as torchvision's and mmcv's RoIAlign, forward and backward."""
import pytest
import torch

from .conftest import require_detection_stack

require_detection_stack()
from mmcv.ops import RoIAlign  # noqa: E402
from torchvision.ops import roi_align  # noqa: E402

from cledi.det import RoIExtractor, SeparableRoIAlign, separable_roi_align  # noqa: E402


def random_rois(num, height, width, stride, num_images, generator):
    """Boxes in image pixels: inside, half outside, far outside, zero-sized, thin, larger than the image."""
    corner = torch.rand(num, 2, generator=generator) * torch.tensor([width, height]) * stride * 1.2 - 2 * stride
    size = torch.rand(num, 2, generator=generator) * torch.tensor([width, height]) * stride
    boxes = torch.cat([corner, corner + size], 1)
    boxes[:3, 2:] = boxes[:3, :2]  # zero-sized
    boxes[3:6] = torch.tensor([-9. * stride, -9. * stride, -3. * stride, -2. * stride])  # beyond the map
    boxes[6:8] = torch.tensor([-stride, -stride, (width + 2) * stride, (height + 2) * stride])  # covers it
    boxes[8, 2] = boxes[8, 0] + 0.1  # a sliver
    image = torch.randint(0, num_images, (num, 1), generator=generator).float()
    return torch.cat([image, boxes], 1)


@pytest.mark.parametrize('aligned', [True, False])
@pytest.mark.parametrize('sampling_ratio', [0, 2])
@pytest.mark.parametrize('output_size', [(7, 7), (14, 5)])
def test_equals_torchvision_forward_and_backward(aligned, sampling_ratio, output_size):
    generator = torch.Generator().manual_seed(0)
    stride = 8
    features = torch.randn(3, 5, 13, 17, generator=generator, dtype=torch.float64)
    rois = random_rois(60, 13, 17, stride, 3, generator).double()
    ours = features.clone().requires_grad_()
    reference = features.clone().requires_grad_()
    pooled = separable_roi_align(ours, rois, output_size, 1 / stride, sampling_ratio, aligned)
    expected = roi_align(reference, rois, output_size, 1 / stride, sampling_ratio, aligned)
    torch.testing.assert_close(pooled, expected, rtol=0, atol=1e-12)
    assert expected.abs().sum() > 0 and pooled[3:6].abs().max() == 0  # the boxes beyond the map pool zeros
    upstream = torch.randn(expected.shape, generator=generator, dtype=torch.float64)
    pooled.backward(upstream)
    expected.backward(upstream)
    torch.testing.assert_close(ours.grad, reference.grad, rtol=0, atol=1e-12)


def test_equals_mmcv_on_a_channels_last_pyramid_level():
    """The layer reads strides (mmcv's kernel does not: SimpleFPN makes its levels contiguous for it)."""
    generator = torch.Generator().manual_seed(1)
    level = torch.randn(2, 48, 24, 32, generator=generator)
    channels_last = level.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)
    assert not channels_last.is_contiguous()
    rois = random_rois(40, 24, 32, 4, 2, generator)
    layer = SeparableRoIAlign(output_size=7, spatial_scale=0.25)
    expected = RoIAlign(output_size=7, spatial_scale=0.25, sampling_ratio=0)(level, rois)
    torch.testing.assert_close(layer(channels_last, rois), expected, rtol=1e-5, atol=1e-5)
    assert layer(level, rois[:0]).shape == (0, 48, 7, 7)


def test_roi_extractor_builds_cledi_layers_and_keeps_mmcv_ones():
    ours = RoIExtractor(roi_layer=dict(type='cledi.SeparableRoIAlign', output_size=7, sampling_ratio=0),
                        out_channels=16, featmap_strides=[4, 8])
    assert [type(layer) for layer in ours.roi_layers] == [SeparableRoIAlign, SeparableRoIAlign]
    assert [layer.spatial_scale for layer in ours.roi_layers] == [0.25, 0.125]
    mmcv_layers = RoIExtractor(roi_layer=dict(type='RoIAlign', output_size=7, sampling_ratio=0), out_channels=16,
                               featmap_strides=[4])
    assert type(mmcv_layers.roi_layers[0]) is RoIAlign
    with pytest.raises(ValueError, match="pool_mode='max'.*type='RoIAlign'"):
        SeparableRoIAlign(output_size=7, pool_mode='max')
