"""The frozen dense linear probe: IoU bookkeeping, fitting, mask loading, and tools/dense_probe.py end to end."""
import copy
import json
import os.path as osp

import pytest
import torch
import torch.nn.functional as F

from cledi.evaluation.dense_probe import (evaluate_dense_probe, fit_dense_probe, iou_scores, load_instance_masks,
                                          run_dense_probe, token_grid)
from cledi.models import ViT
from tools import dense_probe

from ..conftest import REPO_ROOT, TINY_ARCH


def test_iou_of_a_hand_made_prediction():
    target = torch.tensor([[0, 0, 1, 1],
                           [0, 0, 1, 1]])
    pred = torch.tensor([[0, 1, 1, 1],
                         [0, 0, 0, 1]])
    # class 0: TP 3, FP 1, FN 1 -> 3/5; class 1: TP 3, FP 1, FN 1 -> 3/5; pixel accuracy 6/8
    scores = iou_scores(pred, target)
    assert scores['iou_0'] == pytest.approx(60.0) and scores['iou_1'] == pytest.approx(60.0)
    assert scores['mIoU'] == pytest.approx(60.0) and scores['pixel_acc'] == pytest.approx(75.0)
    assert iou_scores(target, target)['mIoU'] == pytest.approx(100.0)


def test_the_probe_separates_linearly_separable_tokens_almost_perfectly():
    torch.manual_seed(0)
    labels = (torch.rand(40, 4, 4) > 0.5).long()  # a class per token
    grids = torch.randn(40, 8, 4, 4) * 0.3
    grids[:, 3] += 2.0 * labels - 1.0  # channel 3 carries the class
    masks = labels.byte()  # masks at the token resolution: the upsampling is the identity
    probe = fit_dense_probe(grids[:30], masks[:30], steps=200, lr=0.05)
    scores = evaluate_dense_probe(probe, grids[30:], masks[30:])
    assert scores['mIoU'] > 99.0
    # at 4x the resolution, bilinear upsampling of the logits only blurs the block edges
    fine = F.interpolate(labels[:, None].float(), size=(16, 16), mode='nearest')[:, 0].byte()
    assert evaluate_dense_probe(fit_dense_probe(grids[:30], fine[:30], steps=200), grids[30:], fine[30:])['mIoU'] > 85
    shuffled = evaluate_dense_probe(fit_dense_probe(grids[:30], masks[:30].roll(1, dims=0), steps=200),
                                    grids[30:], masks[30:])
    assert shuffled['mIoU'] < 70.0  # masks of other images: nothing to learn


def test_token_grid_has_the_patch_grid_layout():
    vit = ViT(arch=dict(TINY_ARCH), img_size=32, patch_size=8)
    vit.init_weights()
    inputs = torch.randn(2, 3, 32, 64)
    vit.eval()  # (MMPretrain backbones return None from train())
    grid = token_grid(vit, inputs)
    tokens = vit(inputs)[-1]
    assert grid.shape == (2, 32, 4, 8)
    torch.testing.assert_close(grid[1, :, 2, 5], tokens[1, 1 + 2 * 8 + 5])


def test_masks_of_the_real_penn_fudan_json_and_a_bad_json_is_named(pennfudan_root, tmp_path):
    names, masks = load_instance_masks(f'{pennfudan_root}/annotations/val.json', 64)
    assert len(names) == 50 and masks.shape == (50, 64, 64) and names[0].endswith('.png')
    assert set(masks.unique().tolist()) == {0, 1}
    assert 0.05 < masks.float().mean() < 0.5  # pedestrians cover a part of each image
    bad = tmp_path / 'broken.json'
    bad.write_text(json.dumps(dict(images=[dict(id=1, file_name='a.png', width=4, height=4)])))
    with pytest.raises(ValueError, match='broken.json'):
        load_instance_masks(str(bad), 64)


def test_dense_probe_tool_probes_the_weights_it_is_given(tmp_path, pennfudan_root, pretraining_checkpoint):
    """The tool's numbers are the library probe of the model the checkpoint holds (not of a fresh model), and
    'random' means the seeded initialisation; the JSON holds what was returned."""
    from cledi.apis import init_model, load_config
    _, config, model = pretraining_checkpoint
    model = copy.deepcopy(model)  # the session's fixture stays as it is
    with torch.no_grad():  # the checkpoint's weights made distinguishable from any fresh initialisation
        for p in model.backbone.parameters():
            p.add_(0.05 * torch.randn_like(p))
    moved = tmp_path / 'moved.pth'
    torch.save(dict(state_dict=model.state_dict()), moved)
    options = ['--data-root', pennfudan_root, '--input-size', '64', '--mask-size', '32', '--steps', '100', '--no-flip']
    out = tmp_path / 'probe.json'
    from_tool = dense_probe.main([config, str(moved), *options, '--out', str(out)])
    expected = run_dense_probe(model.eval(), pennfudan_root, 64, 32, steps=100, flip=False)
    assert from_tool['mIoU'] == pytest.approx(expected['mIoU'], abs=1e-6) and expected['iou_1'] > 0  # not all background
    assert json.loads(out.read_text())['mIoU'] == pytest.approx(from_tool['mIoU'])
    random_seed_1 = dense_probe.main([config, 'random', *options, '--seed', '1'])
    fresh = run_dense_probe(init_model(load_config(config), None, seed=1), pennfudan_root, 64, 32, steps=100, flip=False,
                            seed=1)
    assert random_seed_1['mIoU'] == pytest.approx(fresh['mIoU'], abs=1e-6)
    assert random_seed_1['mIoU'] != pytest.approx(from_tool['mIoU'], abs=1e-3)


def test_dense_probe_tool_on_a_pil_path_config(pennfudan_root):
    # MMPretrain's SelfSupDataPreprocessor (the PIL-path pre-training configs) takes a list of view batches
    config = osp.join(REPO_ROOT, 'configs', 'cledi', 'cledi_vit-mini-p4_1xb40-coslr-100e_pennfudan.py')
    scores = dense_probe.main([config, 'random', '--data-root', pennfudan_root, '--input-size', '32',
                               '--mask-size', '32', '--steps', '30', '--no-flip'])
    # all background would score ~41 mIoU (background IoU ~83 %, person 0): the probe found the people
    assert scores['train_mIoU'] > 45.0 and scores['iou_1'] > 5.0
