"""DINO and iBOT as parts of cledi.CLEDI: the objective's formulas by hand, the centre's EMA, the teacher moved by
EMA only, the last-layer freeze, block masking, and iBOT without masks being DINO exactly."""
import copy
import math
import os.path as osp
import random
import sys

import pytest
import torch

from cledi.models.heads import DINOHead, distillation_loss, teacher_temperature
from cledi.models.necks import DINONeck
from cledi.models.utils import block_mask, sample_masks

from ..conftest import REPO_ROOT, TINY_ARCH
from ..helpers import build_model

DINO_CONFIG = osp.join(REPO_ROOT, 'configs', 'dino', 'dino_vit-mini-p4_1xb128-mc10x16-coslr-200e_cifar10-10pct.py')
IBOT_CONFIG = osp.join(REPO_ROOT, 'configs', 'ibot', 'ibot_vit-mini-p4_1xb128-mc10x16-coslr-200e_cifar10-10pct.py')
# DINO at unit size: width 32, 2 layers, patch 8 at 32 px (a 4 x 4 grid), K = 16
TINY_DINO_MODEL = dict(
    backbone=dict(arch=dict(TINY_ARCH, _delete_=True), img_size=32, patch_size=8),
    neck=dict(in_channels=32, hid_channels=64, bottleneck_channels=16, out_channels=16),
    head=dict(out_channels=16))


def tiny(config: str, **model):
    from cledi.apis import load_config
    cfg = load_config(config)
    cfg.merge_from_dict(dict(model=copy.deepcopy(TINY_DINO_MODEL)))
    cfg.merge_from_dict(dict(model=model))
    return cfg


def views(batch=4, seed=0, local=2):
    generator = torch.Generator().manual_seed(seed)
    return ([torch.randn(batch, 3, 32, 32, generator=generator) for _ in range(2)]
            + [torch.randn(batch, 3, 16, 16, generator=generator) for _ in range(local)])


def test_the_dino_loss_is_the_cross_entropy_of_the_formula_by_hand():
    # two views, one image, K = 2: student logits s1 = (1, 0), s2 = (0, 1); teacher t1 = (2, 0), t2 = (0, 0);
    # centre 0, T_s = 1, T_t = 1: p1 = softmax(2, 0), p2 = (1/2, 1/2)
    student = [torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 1.0]])]
    head = DINOHead(out_channels=2, student_temperature=1.0, teacher_temperature=1.0,
                    teacher_warmup_temperature=1.0, teacher_warmup=0.0)
    teacher = [torch.tensor([[2.0, 0.0]]), torch.tensor([[0.0, 0.0]])]
    e = math.e
    p1 = (e**2 / (e**2 + 1), 1 / (e**2 + 1))
    log_s2 = (-math.log(1 + e), 1 - math.log(1 + e))  # log softmax(0, 1)
    log_s1 = (1 - math.log(1 + e), -math.log(1 + e))  # log softmax(1, 0)
    # pairs (v=2, g=1) and (v=1, g=2), averaged
    expected = (-(p1[0] * log_s2[0] + p1[1] * log_s2[1]) - (0.5 * log_s1[0] + 0.5 * log_s1[1])) / 2
    head.eval()  # no centre update here
    assert head.contrast(student, teacher).item() == pytest.approx(expected, rel=1e-6)
    # a local view (a third student view) is paired with both global views: four pairs
    local = torch.tensor([[0.5, 0.5]])
    four = distillation_loss(student + [local], head.targets(teacher, 1.0), 1.0)
    log_half = math.log(0.5)
    expected_four = (expected * 2 - p1[0] * log_half - p1[1] * log_half - log_half) / 4
    assert four.item() == pytest.approx(expected_four, rel=1e-6)


def test_the_centre_after_one_update_is_its_ema_and_the_teacher_temperature_warms_up():
    head = DINOHead(out_channels=3, center_momentum=0.9, teacher_warmup=0.2)
    head.center.fill_(1.0)
    keys = [torch.tensor([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]), torch.tensor([[0.0, 0.0, 0.0], [4.0, 4.0, 4.0]])]
    head.train()
    head.contrast([torch.zeros(2, 3), torch.zeros(2, 3)], keys)
    # batch mean over both global views: (8 / 4, 8 / 4, 8 / 4) = 2; 0.9 * 1 + 0.1 * 2 = 1.1
    torch.testing.assert_close(head.center, torch.full((1, 3), 1.1))
    assert teacher_temperature(0.0, 0.04, 0.07, 0.2) == pytest.approx(0.04)
    assert teacher_temperature(0.1, 0.04, 0.07, 0.2) == pytest.approx(0.055)
    assert teacher_temperature(0.5, 0.04, 0.07, 0.2) == pytest.approx(0.07)


def test_the_dino_neck_normalises_its_last_layer_and_a_frozen_one_gets_no_gradient():
    torch.manual_seed(0)
    neck = DINONeck(in_channels=8, hid_channels=16, bottleneck_channels=4, out_channels=6, norm_last_layer=True)
    # every output is the cosine of the normalised bottleneck and a unit row: |y| <= 1
    out = neck((torch.randn(5, 8), ))[0]
    assert out.shape == (5, 6) and out.abs().max() <= 1 + 1e-6
    neck.freeze_last_layer = True
    neck((torch.randn(5, 8), ))[0].sum().backward()
    assert neck.last_direction.grad is None and neck.mlp[0].weight.grad is not None
    trained = DINONeck(in_channels=8, hid_channels=16, bottleneck_channels=4, out_channels=6, norm_last_layer=False)
    trained((torch.randn(5, 8), ))[0].sum().backward()
    assert trained.last_norm.grad is not None and trained.last_direction.grad is not None


def test_block_masks_mask_what_they_are_asked_for():
    rng = random.Random(0)
    for target in (0, 4, 10, 32):
        mask = block_mask(8, 8, target, rng)
        assert mask.shape == (8, 8) and mask.sum() <= target
        assert target < 4 or mask.sum() >= target // 2  # blocks fill most of the budget on an 8 x 8 grid
    assert not sample_masks(16, (4, 4), (0.1, 0.5), 0.0, rng).any()  # probability 0: nothing masked
    masks = sample_masks(64, (8, 8), (0.5, 0.5), 1.0, rng)
    assert masks.shape == (64, 64) and ((masks.sum(1) > 16) & (masks.sum(1) <= 32)).all()


def test_a_fully_masked_view_does_not_depend_on_the_image():
    torch.manual_seed(0)
    model = build_model(tiny(DINO_CONFIG).model)
    token = torch.randn(32)
    mask = torch.ones(2, 16, dtype=torch.bool)
    a, b = views(2, seed=1)[:2]
    out_a = model.backbone(a, mask=mask, mask_token=token)[-1]
    out_b = model.backbone(b, mask=mask, mask_token=token)[-1]
    torch.testing.assert_close(out_a, out_b)
    assert not torch.allclose(model.backbone(a)[-1], model.backbone(b)[-1])


def _one_step(model, inputs):
    optimizer = torch.optim.SGD([p for n, p in model.named_parameters() if p.requires_grad
                                 and not n.startswith('momentum_encoder.')], lr=0.1)
    losses = model.loss(inputs, None)
    loss = sum(v for k, v in losses.items() if k.startswith('loss'))
    optimizer.zero_grad()
    loss.backward()
    teacher_grads = [p.grad for p in model.momentum_encoder.parameters()]
    optimizer.step()
    return loss.detach(), teacher_grads


def test_ibot_without_masks_and_patch_weight_is_dino_loss_and_step_exactly():
    torch.manual_seed(0)
    dino = build_model(tiny(DINO_CONFIG).model)
    ibot = build_model(tiny(IBOT_CONFIG, detail=dict(mask_probability=0.0, loss_weight=0.0)).model)
    ibot.load_state_dict(dino.state_dict(), strict=False)
    assert ibot.detail.student_masks(views()[:2], 8) is None
    for step in range(2):
        inputs = views(seed=step)
        for model in (dino, ibot):
            model.momentum_encoder.schedule(step, 10)
        (dino_loss, _), (ibot_loss, _) = _one_step(dino, inputs), _one_step(ibot, inputs)
        assert torch.equal(dino_loss, ibot_loss)
    for key, value in dino.state_dict().items():
        assert torch.equal(ibot.state_dict()[key], value), key


def test_the_teacher_moves_by_ema_only_and_ibot_masks_train_the_mask_token():
    torch.manual_seed(0)
    model = build_model(tiny(IBOT_CONFIG, detail=dict(mask_probability=1.0, mask_ratio=(0.5, 0.5))).model)
    before = copy.deepcopy(model.momentum_encoder.state_dict())
    online_before = {name: [p.detach().clone() for p in module.parameters()]
                     for name, module in model.key_modules().items()}
    model.momentum_encoder.schedule(0, 10)
    model.momentum_encoder.momentum = 0.9
    losses = model.loss(views(), None)
    assert set(losses) == {'loss_global', 'loss_detail'} and losses['loss_detail'] > 0
    sum(losses.values()).backward()
    assert all(p.grad is None for p in model.momentum_encoder.parameters())  # no gradient reaches the teacher
    assert model.detail.mask_token.grad is not None and model.detail.mask_token.grad.abs().sum() > 0
    # the in-loss EMA ran once, before the keys: ema = 0.9 * ema + 0.1 * online (the copies started equal)
    for name, module in model.momentum_encoder.items():
        for got, old, online in zip(module.parameters(), before_params(before, name, module), online_before[name]):
            torch.testing.assert_close(got, 0.9 * old + 0.1 * online)


def before_params(state, name, module):
    return [state[f'{name}.{key}'] for key, _ in module.named_parameters()]


def test_dino_trains_through_the_runner_with_its_last_layer_frozen_in_the_first_epoch(tmp_path, cifar10_root,
                                                                                      cifar10_subset):
    from ..test_tools.test_train import TRAIN, run, scalars, write_tiny_config
    model = dict(copy.deepcopy(TINY_DINO_MODEL))
    config = write_tiny_config(tmp_path / 'dino.py', cifar10_root, cifar10_subset, max_epochs=2, base=DINO_CONFIG,
                               model=model)
    with open(config, 'a') as f:  # two local views of 16 px (a 2 x 2 grid at patch 8), no kNN pass
        f.write("data_preprocessor = dict(num_local_views=2)\ndefault_hooks['knn']['interval'] = 5\n")
    work_dir = str(tmp_path / 'work')
    result = run([sys.executable, TRAIN, config, '--work-dir', work_dir, '--amp', 'off'])
    assert result.returncode == 0, result.stderr[-3000:]
    records = [r for r in scalars(work_dir) if 'loss' in r]
    assert records[-1]['step'] == 16 and all(math.isfinite(r['loss']) for r in records)
    first, second = (torch.load(osp.join(work_dir, f'epoch_{e}.pth'), map_location='cpu', weights_only=True)
                     ['state_dict'] for e in (1, 2))
    # frozen in epoch 1: the teacher's copy started equal to the student's last layer and its EMA of an unchanged
    # layer keeps it equal; epoch 2 trains the layer
    torch.testing.assert_close(first['neck.last_direction'], first['momentum_encoder.neck.last_direction'])
    assert not torch.equal(first['neck.last_direction'], second['neck.last_direction'])
    assert not torch.equal(first['neck.mlp.0.weight'], second['neck.mlp.0.weight'])
    assert first['head.center'].abs().sum() > 0  # the centre follows the teacher


def test_ibot_with_no_patch_masked_in_a_batch_still_takes_part_in_the_centre_update():
    """With several processes the patch centre is all-reduced, so every process must update it, also one whose
    batch drew no masked patch: its loss is 0 and the centre moves by the others' keys only (here: none, it stays)."""
    from cledi.models.detail import DetailInputs, GlobalSpace
    from cledi.models.utils import encode_views
    torch.manual_seed(0)
    model = build_model(tiny(IBOT_CONFIG).model)
    inputs = views()[:2]
    online, teacher = encode_views(model.backbone, inputs), model.momentum_encoder.encode(inputs)
    masks = [torch.zeros(4, 16, dtype=torch.bool) for _ in range(2)]
    model.detail.head.center.fill_(0.5)
    space = GlobalSpace(model.neck, model.head, model.momentum_encoder['neck'])
    out = model.detail(DetailInputs(online, teacher, {}, space, None, 1.0, False, masks))
    assert out.losses['loss_detail'].item() == 0.0
    assert torch.equal(model.detail.head.center, torch.full_like(model.detail.head.center, 0.5))
