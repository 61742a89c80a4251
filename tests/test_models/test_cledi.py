import copy

import pytest
import torch

from cledi.models import CLEDI

from ..helpers import build_model, tiny_cledi_config


def _views(batch_size=4, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return [torch.randn(batch_size, 3, 32, 32, generator=generator) for _ in range(2)]


def _trainable_online(model):
    return {name: p for name, p in model.named_parameters()
            if p.requires_grad and not name.startswith('momentum_encoder.')}


@pytest.fixture
def model():
    torch.manual_seed(0)
    return build_model(tiny_cledi_config().model)


def test_builds_cledi_with_one_momentum_encoder(model):
    assert isinstance(model, CLEDI)
    assert set(model.momentum_encoder.keys()) == {'backbone', 'neck', 'detail_aggregator', 'detail_neck'}
    assert not any(p.requires_grad for p in model.momentum_encoder.parameters())
    # starts as an exact copy of the online key modules
    for name, online in model.key_modules().items():
        for (key, a), b in zip(online.state_dict().items(), model.momentum_encoder[name].state_dict().values()):
            assert torch.equal(a, b), f'{name}.{key} differs'


def test_loss_keys_finite_and_gradients(model):
    losses = model.loss(_views(), None)
    assert set(losses) == {'loss_global', 'loss_detail'}
    assert all(torch.isfinite(v) and v > 0 for v in losses.values())
    sum(losses.values()).backward()
    missing = [n for n, p in _trainable_online(model).items() if p.grad is None or not torch.isfinite(p.grad).all()]
    assert not missing, f'no gradient for {missing}'
    assert all(p.grad is None for p in model.momentum_encoder.parameters())
    # the frozen MoCo v3 pieces stay frozen
    assert not model.backbone.patch_embed.projection.weight.requires_grad
    assert not model.backbone.pos_embed.requires_grad


def test_momentum_encoder_moves_on_second_step(model):
    optimizer = torch.optim.AdamW(_trainable_online(model).values(), lr=1e-2)
    before = copy.deepcopy(model.momentum_encoder.state_dict())
    for step in range(2):
        model.momentum_encoder.schedule(step, 10)
        losses = model.loss(_views(seed=step), None)
        optimizer.zero_grad()
        sum(losses.values()).backward()
        optimizer.step()
        after = model.momentum_encoder.state_dict()
        moved = [k for k in before if before[k].dtype.is_floating_point and 'running' not in k
                 and not torch.allclose(before[k], after[k], rtol=0, atol=1e-6)]
        if step == 0:
            assert not moved, 'the first update sees identical online and momentum weights'
        else:
            assert any(k.startswith('backbone.layers') for k in moved)
            assert any(k.startswith('detail_neck') for k in moved)
            assert 'backbone.pos_embed' not in moved  # frozen sin-cos stays put


def test_cosine_momentum_schedule(model):
    teacher = model.momentum_encoder
    assert teacher.schedule(0, 100) == pytest.approx(0.99)
    assert teacher.schedule(50, 100) == pytest.approx(0.995) and teacher.progress == 0.5
    assert teacher.schedule(100, 100) == pytest.approx(1.0)


@pytest.mark.parametrize('detail', [None, dict(loss_weight=0.0)], ids=['no-detail', 'lambda-0'])
def test_without_detail_it_is_mmpretrains_mocov3_loss_and_step(detail):
    """cledi.CLEDI without a detail part (the multi-crop MoCo v3 of the regime) on two views is MMPretrain's
    MoCoV3: the same loss, and after one optimizer step and the EMA, the same loss again."""
    from mmengine.logging import MessageHub
    torch.manual_seed(0)
    cfg = tiny_cledi_config(detail=detail)
    if detail is None:
        cfg.model.pop('detail')
    cledi = build_model(cfg.model)
    assert (cledi.detail is None) == (detail is None)
    # MMPretrain's own MoCoV3 with the same backbone / projector / predictor
    mocov3_cfg = dict(
        type='MoCoV3',
        base_momentum=0.01,
        data_preprocessor=cfg.model.data_preprocessor,
        backbone=dict(cfg.model.backbone, out_type='cls_token'),
        neck=cfg.model.neck,
        head=dict(type='MoCoV3Head', predictor=cfg.model.head.predictor,
                  loss=dict(type='CrossEntropyLoss', loss_weight=2 * 0.2), temperature=0.2))
    mocov3 = build_model(mocov3_cfg)
    mocov3.backbone.load_state_dict(cledi.backbone.state_dict())
    mocov3.neck.load_state_dict(cledi.neck.state_dict())
    mocov3.head.predictor.load_state_dict(cledi.head.predictor.state_dict())
    hub = MessageHub.get_current_instance()  # MoCoV3 reads its EMA schedule from the message hub
    optimizers = [torch.optim.SGD([p for n, p in model.named_parameters() if p.requires_grad and 'momentum' not in n],
                                  lr=0.5) for model in (cledi, mocov3)]
    for step in range(2):
        hub.update_info('iter', step)
        hub.update_info('max_iters', 10)
        cledi.momentum_encoder.schedule(step, 10)
        views = _views(batch_size=8, seed=step)
        cledi_loss = sum(value for key, value in cledi.loss(views, None).items() if key.startswith('loss'))
        mocov3_loss = mocov3.loss(views, None)['loss']
        torch.testing.assert_close(cledi_loss, mocov3_loss, rtol=1e-6, atol=1e-6)
        for optimizer, loss in zip(optimizers, (cledi_loss, mocov3_loss)):
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


def test_separate_detail_backbone_and_intermediate_tokens():
    torch.manual_seed(0)
    cfg = tiny_cledi_config()
    cfg.model.detail.backbone = copy.deepcopy(cfg.model.backbone)
    model = build_model(cfg.model)
    assert 'detail_backbone' in model.momentum_encoder
    sum(model.loss(_views(), None).values()).backward()
    assert all(p.grad is not None for p in model.detail.backbone.parameters() if p.requires_grad)

    # patch tokens from the first block, CLS from the last: the detail loss reaches block 0 through both paths
    cfg = tiny_cledi_config()
    cfg.model.backbone.out_indices = [0, 1]
    cfg.model.detail.out_index = 0
    cfg.model.detail.pool.norm = True
    model = build_model(cfg.model)
    losses = model.loss(_views(), None)
    assert all(torch.isfinite(v) for v in losses.values())


def test_needs_two_views(model):
    with pytest.raises(ValueError, match='two global views'):
        model.loss([torch.randn(2, 3, 32, 32)], None)


def test_momentum_update_is_the_ema_formula(model):
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.1)  # online and momentum weights now differ
    online = {n: p.detach().clone() for n, p in model.key_modules()['detail_neck'].named_parameters()}
    ema = {n: p.detach().clone() for n, p in model.momentum_encoder['detail_neck'].named_parameters()}
    model.momentum_encoder.momentum = 0.9
    model.momentum_encoder.ema(model.key_modules())
    for name, p in model.momentum_encoder['detail_neck'].named_parameters():
        torch.testing.assert_close(p, 0.9 * ema[name] + 0.1 * online[name])
    for a, b in zip(model.momentum_encoder['backbone'].buffers(), model.backbone.buffers()):
        assert torch.equal(a, b)


def test_local_window_picks_a_square_of_the_patch_grid():
    from cledi.models.detail.global_detail import local_window
    rows, cols = 8, 6
    tokens = torch.arange(rows * cols).float().view(1, -1, 1).repeat(5, 1, 2)  # token value = its grid index
    torch.manual_seed(0)
    window = local_window(tokens, (rows, cols), 3)
    assert window.shape == (5, 9, 2)
    for index in window[..., 0].long():  # each image: 3 consecutive rows x 3 consecutive columns
        grid_rows, grid_cols = index // cols, index % cols
        assert grid_rows.view(3, 3)[:, 0].tolist() == list(range(grid_rows.min(), grid_rows.min() + 3))
        assert grid_cols.view(3, 3)[0].tolist() == list(range(grid_cols.min(), grid_cols.min() + 3))
    with pytest.raises(ValueError, match='wider than the 8x6 patch grid'):
        local_window(tokens, (rows, cols), 7)

    torch.manual_seed(0)
    model = build_model(tiny_cledi_config(detail=dict(local_window=3)).model)
    losses = model.loss(_views(), None)
    sum(losses.values()).backward()
    assert all(torch.isfinite(v) for v in losses.values())
    with pytest.raises(ValueError, match='local_window must be None or a window side >= 1'):
        build_model(tiny_cledi_config(detail=dict(local_window=0)).model)


def test_a_checkpoint_saved_before_the_detail_parts_loads_strictly():
    """tests/data/cledi_7286be4_tiny_gem.pth: the tiny model with a GeM aggregator, saved by cledi at 7286be4
    (online keys ``detail_aggregator.*``, ``detail_neck.*``, ``detail_head.*``). The documented mapping
    (``upgrade_state_dict``) puts every weight where the parts keep it now."""
    import os.path as osp
    from ..conftest import REPO_ROOT
    path = osp.join(REPO_ROOT, 'tests', 'data', 'cledi_7286be4_tiny_gem.pth')
    state_dict = torch.load(path, map_location='cpu', weights_only=True)['state_dict']
    assert 'detail_aggregator.gem_p' in state_dict and 'detail_head.predictor.fc0.weight' in state_dict
    model = build_model(tiny_cledi_config(detail=dict(pool=dict(type='cledi.GeMPool'))).model)
    model.load_state_dict(state_dict, strict=True)
    assert model.detail.pool.p.item() == 2.5 and model.momentum_encoder['detail_aggregator'].p.item() == 2.75
    torch.testing.assert_close(model.detail.head.predictor.fc0.weight, state_dict['detail_head.predictor.fc0.weight'])
    torch.testing.assert_close(model.momentum_encoder['detail_neck'].fc0.weight,
                               state_dict['momentum_encoder.detail_neck.fc0.weight'])
