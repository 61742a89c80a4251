"""CL-EDI's detail-module designs: cross-level terms, location-matched regions, the detail weight warm-up."""
import math

import pytest
import torch
from mmpretrain.structures import DataSample

from cledi.models import infonce_loss

from ..helpers import build_model, tiny_cledi_config


def _views(batch_size=6, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return [torch.randn(batch_size, 3, 32, 32, generator=generator) for _ in range(2)]


def _samples(batch_size=6, seed=0):
    """Data samples carrying the geometry MultiViewPreprocessor records: crop boxes of both views, flips."""
    generator = torch.Generator().manual_seed(seed)
    samples = []
    for _ in range(batch_size):
        corner = torch.rand(2, 2, generator=generator) * 16
        size = 10 + torch.rand(2, 1, generator=generator) * 6
        sample = DataSample()
        sample.set_field(torch.cat([corner, corner + size], dim=1), 'crop_boxes')  # (2, 4) in a 32 x 32 image
        sample.set_field(torch.rand(2, generator=generator) < 0.5, 'flips')
        samples.append(sample)
    return samples


def _model(**overrides):
    torch.manual_seed(0)
    return build_model(tiny_cledi_config(**overrides).model)


def _ce(logits, target):
    return -logits[target] + math.log(sum(math.exp(v) for v in logits))


def test_masked_infonce_equals_the_hand_computed_value():
    query = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    key = torch.tensor([[2.0, 0.0], [0.0, 1.0], [0.0, 3.0]])
    temperature = 0.5
    # pair 1 is neither a query nor a negative: rows 0 and 2 over keys 0 and 2 (cosines 1, 0 and 0.707, 0.707)
    expected = (_ce([1 / temperature, 0.0], 0) + _ce([math.sqrt(0.5) / temperature] * 2, 1)) / 2 * 2 * temperature
    loss = infonce_loss(query, key, temperature, torch.tensor([True, False, True]))
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def _hand_made_terms(model, views):
    """Queries and keys of both modules built directly from the parts (the formulas of docs/method.md)."""
    online, momentum = model.key_modules(), model.momentum_encoder

    def parts(modules, view):
        tokens = modules['backbone'](view)[-1]
        cls_token, patches = tokens[:, 0], tokens[:, 1:]
        global_proj = modules['neck']((cls_token, ))[0]
        detail_proj = modules['detail_neck']((modules['detail_aggregator'](patches), ))[0]
        return global_proj, detail_proj

    (g1, d1), (g2, d2) = parts(online, views[0]), parts(online, views[1])
    queries = [model.head.predict(g1), model.head.predict(g2)], [model.detail.head.predict(d1),
                                                                  model.detail.head.predict(d2)]
    with torch.no_grad():
        model.momentum_encoder.ema(model.key_modules())
        (k1, kd1), (k2, kd2) = parts(momentum, views[0]), parts(momentum, views[1])
    return queries, ([k1, k2], [kd1, kd2])


def test_defaults_reproduce_the_global_and_detail_losses_exactly():
    model = _model()
    views = _views()
    losses = model.loss(views, None)
    assert set(losses) == {'loss_global', 'loss_detail'}
    (q, qd), (k, kd) = _hand_made_terms(_model(), views)
    temperature = 0.2
    assert torch.equal(losses['loss_global'],
                       infonce_loss(q[0], k[1], temperature) + infonce_loss(q[1], k[0], temperature))
    assert torch.equal(losses['loss_detail'],
                       1.0 * (infonce_loss(qd[0], kd[1], temperature) + infonce_loss(qd[1], kd[0], temperature)))


CROSS = dict(type='cledi.CrossLevel', loss_weight=1.0)
REGION = dict(type='cledi.RegionDetail')


@pytest.mark.parametrize('cross_terms', ['both', 'cls', 'detail'])
def test_cross_level_terms_are_the_hand_computed_infonce(cross_terms):
    model = _model(cross=dict(CROSS, loss_weight=0.5, terms=cross_terms))
    views = _views()
    losses = model.loss(views, None)
    (q, qd), (k, kd) = _hand_made_terms(_model(), views)
    cls_terms = infonce_loss(q[0], kd[1], 0.2) + infonce_loss(q[1], kd[0], 0.2)
    detail_terms = infonce_loss(qd[0], k[1], 0.2) + infonce_loss(qd[1], k[0], 0.2)
    expected = dict(both=cls_terms + detail_terms, cls=cls_terms, detail=detail_terms)[cross_terms]
    torch.testing.assert_close(losses['loss_cross'], 0.5 * expected, rtol=1e-6, atol=0)


def _assert_every_online_parameter_learns(model, losses):
    sum(value for name, value in losses.items() if 'loss' in name).backward()
    missing = [name for name, p in model.named_parameters()
               if p.requires_grad and not name.startswith('momentum_encoder.') and p.grad is None]
    assert not missing, f'no gradient for {missing}'
    assert all(p.grad is None for p in model.momentum_encoder.parameters())


@pytest.mark.parametrize('overrides', [
    dict(cross=CROSS),
    dict(cross=dict(CROSS, terms='cls')),
    dict(detail=REGION),
    dict(detail=dict(REGION, grid=3), cross=CROSS),
], ids=['cross', 'cross-cls', 'region', 'region-cross'])
def test_every_online_parameter_gets_a_gradient(overrides):
    model = _model(**overrides)
    losses = model.loss(_views(), _samples())
    assert all(torch.isfinite(value) for value in losses.values())
    _assert_every_online_parameter_learns(model, losses)


def test_region_loss_is_the_contrast_of_matched_region_vectors():
    model = _model(detail=dict(REGION, min_overlap=0.3))
    views, samples = _views(), _samples()
    losses = model.loss(views, samples)
    reference = _model(detail=dict(REGION, min_overlap=0.3))
    crop_boxes = torch.stack([s.crop_boxes for s in samples])
    flips = torch.stack([s.flips for s in samples])
    from cledi.models.utils import matched_regions, pool_regions
    boxes, valid, matched = matched_regions(crop_boxes, flips, (4, 4), 2, 0.3)
    assert losses['region_matched'].item() == pytest.approx(matched.float().mean().item())
    assert 0 < matched.sum() < len(matched)  # the samples hold both kinds of pairs
    valid = valid.flatten()

    def regions(modules, view, index, predict):
        """Only the valid regions go through the projector and predictor; padding rows stay zero."""
        patches = modules['backbone'](view)[-1][:, 1:]
        rows = pool_regions(patches, boxes[:, index], (4, 4)).flatten(0, 1)[valid]
        vectors = modules['detail_neck']((rows, ))[0]
        if predict:
            vectors = reference.detail.head.predict(vectors)
        out = vectors.new_zeros(len(valid), vectors.shape[1])
        out[valid] = vectors
        return out

    online = reference.key_modules()
    rq1, rq2 = regions(online, views[0], 0, True), regions(online, views[1], 1, True)
    with torch.no_grad():
        reference.momentum_encoder.ema(reference.key_modules())
        momentum = reference.momentum_encoder
        rk1, rk2 = regions(momentum, views[0], 0, False), regions(momentum, views[1], 1, False)
    expected = infonce_loss(rq1, rk2, 0.2, valid) + infonce_loss(rq2, rk1, 0.2, valid)
    torch.testing.assert_close(losses['loss_detail'], expected, rtol=1e-6, atol=0)


def test_padding_regions_do_not_move_the_detail_projector_statistics():
    """Unmatched pairs give padding rows; they must not enter the projector's BatchNorm: the running statistics
    after one forward equal those of a forward over the valid region vectors alone."""
    model = _model(detail=dict(REGION, min_overlap=0.3))
    views, samples = _views(), _samples()
    model.loss(views, samples)
    reference = _model(detail=dict(REGION, min_overlap=0.3))
    crop_boxes = torch.stack([s.crop_boxes for s in samples])
    flips = torch.stack([s.flips for s in samples])
    from cledi.models.utils import matched_regions, pool_regions
    boxes, valid, _ = matched_regions(crop_boxes, flips, (4, 4), 2, 0.3)
    assert not valid.all()
    for index, view in enumerate(views):  # the online projector sees view 1's, then view 2's valid regions
        patches = reference.backbone(view)[-1][:, 1:]
        reference.detail.neck((pool_regions(patches, boxes[:, index], (4, 4)).flatten(0, 1)[valid.flatten()], ))
    for (name, stat), expected in zip(model.detail.neck.named_buffers(), reference.detail.neck.buffers()):
        if 'running' in name:
            torch.testing.assert_close(stat, expected, msg=name)


def test_region_mode_without_view_geometry_says_how_to_get_it():
    model = _model(detail=REGION)
    with pytest.raises(ValueError, match='MultiViewPreprocessor'):
        model.loss(_views(), None)
    # each part names only its own options: another part's is refused by name
    with pytest.raises(TypeError, match="RegionDetail.__init__.. got an unexpected keyword argument 'local_window'"):
        _model(detail=dict(REGION, local_window=2))
    with pytest.raises(TypeError, match="unexpected keyword argument 'shared_head'"):
        _model(detail=dict(REGION, shared_head=True))
    with pytest.raises(ValueError, match="views 'patches' is not one of"):
        _model(detail=dict(views='patches'))
    with pytest.raises(ValueError, match="cross terms 'all' is not one of"):
        _model(cross=dict(CROSS, terms='all'))
    with pytest.raises(ValueError, match='set a detail part too'):
        _model(detail=None, cross=CROSS)


def test_cross_terms_need_one_projection_width():
    cfg = tiny_cledi_config(cross=CROSS)
    cfg.model.detail.neck = dict(cfg.model.neck, out_channels=16)
    cfg.model.detail.head = dict(cfg.model.head, predictor=dict(cfg.model.head.predictor, in_channels=16,
                                                                 out_channels=16))
    model = build_model(cfg.model)
    with pytest.raises(ValueError, match='same out_channels'):
        model.loss(_views(), None)


def test_detail_warmup_scales_detail_and_cross_weights():
    warm = dict(detail=dict(warmup=0.2), cross=dict(CROSS, warmup=0.2))
    model = _model(**warm)
    full = model.loss(_views(), None)
    model = _model(**warm)
    model.momentum_encoder.schedule(10, 100)  # 10 % of training: half of the warm-up
    assert model.detail.weight(model.momentum_encoder.progress) == pytest.approx(0.5)
    half = model.loss(_views(), None)
    torch.testing.assert_close(half['loss_global'], full['loss_global'])
    torch.testing.assert_close(half['loss_detail'], 0.5 * full['loss_detail'])
    torch.testing.assert_close(half['loss_cross'], 0.5 * full['loss_cross'])
    model.momentum_encoder.schedule(50, 100)
    assert model.detail.weight(model.momentum_encoder.progress) == 1.0


# ---- designs that tie the detail module to the CLS token (shared space, CLS-led pooling, local crops) ----

def _multicrop_views(batch_size=6, locals_=2, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return ([torch.randn(batch_size, 3, 32, 32, generator=generator) for _ in range(2)] +
            [torch.randn(batch_size, 3, 16, 16, generator=generator) for _ in range(locals_)])


def test_shared_head_uses_the_global_projector_and_predictor():
    model = _model(detail=dict(shared_head=True))
    assert not hasattr(model.detail, 'neck') and not hasattr(model.detail, 'head')
    assert set(model.momentum_encoder) == {'backbone', 'neck', 'detail_aggregator'}  # no second projector
    losses = model.loss(_views(), None)
    losses['loss_detail'].backward()  # the detail loss alone reaches the shared projector and predictor
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.neck.parameters() if p.requires_grad)
    assert all(p.grad is not None for p in model.head.predictor.parameters() if p.requires_grad)
    # its queries are the global head applied to the pooled patches (one embedding space)
    tokens = model.backbone(_views()[0])[-1]
    query = model.head.predict(model.neck((tokens[:, 1:].mean(dim=1), ))[0])
    assert query.shape[1] == model.head.predict(model.neck((tokens[:, 0], ))[0]).shape[1]
    with pytest.raises(ValueError, match='shared_head=True uses the global projector'):
        _model(detail=dict(shared_head=True, neck=dict(type='mmpretrain.NonLinearNeck')))


def test_cls_led_pooling_reaches_the_cls_token():
    model = _model(detail=dict(pool=dict(type='cledi.CLSAttentionPool')))
    losses = model.loss(_views(), None)
    losses['loss_detail'].backward()
    assert model.backbone.cls_token.grad is not None and model.backbone.cls_token.grad.abs().sum() > 0


def test_a_local_crop_is_found_in_its_global_view_flip_included():
    from cledi.models.detail import local_region_boxes
    # global crop (4, 4)-(20, 20) of the source shown on a 4 x 4 token grid: 4 source pixels per token
    global_boxes = torch.tensor([[4.0, 4.0, 20.0, 20.0]] * 3)
    local_boxes = torch.tensor([[6.0, 8.0, 14.0, 16.0],    # inside: tokens x 0.5-2.5, y 1-3
                                [6.0, 8.0, 14.0, 16.0],    # the same, the global view mirrored: x 1.5-3.5
                                [0.0, 0.0, 8.0, 8.0]])     # a quarter inside: below min_overlap 0.5
    flips = torch.tensor([False, True, False])
    boxes, valid = local_region_boxes(local_boxes, global_boxes, flips, (4, 4), min_overlap=0.5)
    assert valid.tolist() == [True, True, False]
    torch.testing.assert_close(boxes[0, 0], torch.tensor([0.5, 1.0, 2.5, 3.0]))
    torch.testing.assert_close(boxes[1, 0], torch.tensor([1.5, 1.0, 3.5, 3.0]))
    torch.testing.assert_close(boxes[2, 0], torch.tensor([0.0, 0.0, 4.0, 4.0]))  # whole view (masked out)
    boxes, valid = local_region_boxes(local_boxes, global_boxes, flips, (4, 4), min_overlap=0.25)
    assert valid.tolist() == [True, True, True]
    torch.testing.assert_close(boxes[2, 0], torch.tensor([0.0, 0.0, 1.0, 1.0]))  # the part inside


@pytest.mark.parametrize('detail', [
    dict(type='cledi.LocalCropDetail', key='detail'),
    dict(type='cledi.LocalCropDetail', key='cls', shared_head=True),
    dict(type='cledi.LocalCropDetail', key='region', min_overlap=0.3),
], ids=['detail-key', 'cls-key', 'region-key'])
def test_local_crop_detail_trains_every_online_parameter(detail):
    model = _model(detail=detail)
    generator = torch.Generator().manual_seed(1)
    samples = _samples()
    for sample in samples:  # two local crops inside the 32 x 32 source, one mirrored
        local = torch.tensor([[4.0, 4.0, 14.0, 14.0], [10.0, 12.0, 22.0, 24.0]]) + torch.rand(1, generator=generator)
        sample.set_field(torch.cat([sample.crop_boxes, local]), 'crop_boxes')
        sample.set_field(torch.cat([sample.flips, torch.tensor([False, True])]), 'flips')
    losses = model.loss(_multicrop_views(), samples)
    assert torch.isfinite(losses['loss_detail']) and losses['loss_detail'] > 0
    _assert_every_online_parameter_learns(model, losses)
    with pytest.raises(ValueError, match='needs local views'):
        _model(detail=detail).loss(_views(), samples)


def test_local_crop_detail_refuses_a_cls_key_without_the_shared_space():
    with pytest.raises(ValueError, match="key='cls' .* shared_head=True"):
        _model(detail=dict(type='cledi.LocalCropDetail', key='cls'))
