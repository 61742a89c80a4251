"""Detection transfer: ViTDet-style backbone, SimpleFPN, layer decay, converters, and Mask R-CNN on Penn-Fudan."""
import glob
import json
import os.path as osp
import re
import sys

import pytest
import torch
from mmengine.config import Config

from .conftest import require_detection_stack

require_detection_stack()
from cledi.det import (  # noqa: E402
    LayerDecayOptimWrapperConstructor, SimpleFPN, ViTDetBackbone, window_partition, window_unpartition)

from ..conftest import REPO_ROOT, TINY_ARCH  # noqa: E402
from ..helpers import build_model  # noqa: E402
from ..test_tools.test_train import run  # noqa: E402

DET_CONFIGS = sorted(glob.glob(osp.join(REPO_ROOT, 'configs', 'benchmarks', 'detection', '*.py')))
PENNFUDAN_CONFIG = osp.join(REPO_ROOT, 'configs', 'benchmarks', 'detection',
                            'mask-rcnn_vit-mini-p4-simplefpn_1xb4-20e_pennfudan.py')


@pytest.mark.parametrize('path', DET_CONFIGS, ids=osp.basename)
def test_detection_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmdet'
    cfg.model.backbone.init_cfg.checkpoint = None  # the pre-training checkpoint is not there in the test
    model = build_model(cfg.model, scope='mmdet')
    assert type(model).__name__ == 'MaskRCNN'
    assert isinstance(model.backbone, ViTDetBackbone) and isinstance(model.neck, SimpleFPN)


@pytest.mark.parametrize('patch_size', [16, 4])
def test_backbone_and_fpn_give_five_levels(patch_size):
    backbone = ViTDetBackbone(arch=TINY_ARCH, img_size=128, patch_size=patch_size, window_size=4, global_blocks=(1, ))
    backbone.init_weights()
    neck = SimpleFPN(in_channels=32, out_channels=48, in_stride=patch_size)
    image = torch.randn(2, 3, 128, 192)  # not the size the position embedding was built for
    feature = backbone(image)
    assert feature[0].shape == (2, 32, 128 // patch_size, 192 // patch_size)
    levels = neck(feature)
    assert [tuple(level.shape) for level in levels] == [(2, 48, 128 // s, 192 // s) for s in (4, 8, 16, 32, 64)]


def test_roi_features_of_the_pyramid_are_the_roi_align_of_its_maps():
    """mmcv's RoIAlign (what the Mask R-CNN heads pool with) reads a contiguous NCHW buffer and ignores strides:
    the pyramid's levels must be contiguous, or the heads get scrambled features. Reference: torchvision."""
    from mmcv.ops import RoIAlign
    from torchvision.ops import roi_align
    neck = SimpleFPN(in_channels=32, out_channels=48, in_stride=8)
    levels = neck((torch.randn(2, 32, 16, 16), ))
    assert all(level.is_contiguous() for level in levels)
    rois = torch.tensor([[0., 10., 20., 60., 110.], [1., 0., 0., 127., 127.], [1., 33., 5., 70., 40.]])
    mmcv_features = RoIAlign(output_size=7, spatial_scale=0.25, sampling_ratio=0)(levels[0], rois)
    torch.testing.assert_close(mmcv_features, roi_align(levels[0], rois, 7, 0.25, 0, aligned=True))


def test_window_partition_round_trip_and_global_equivalence():
    tokens = torch.randn(2, 5 * 7, 8)
    windows, padded = window_partition(tokens, (5, 7), 3)
    assert windows.shape == (2 * 2 * 3, 9, 8)
    torch.testing.assert_close(window_unpartition(windows, padded, (5, 7), 3, 2), tokens)
    # one window that covers the whole map is global attention
    backbone = ViTDetBackbone(arch=TINY_ARCH, img_size=64, patch_size=16, window_size=4)
    backbone.init_weights()
    backbone.eval()
    image = torch.randn(1, 3, 64, 64)
    windowed = backbone(image)[0]
    backbone.window_size = 0
    torch.testing.assert_close(windowed, backbone(image)[0])


def test_layer_decay_groups_follow_depth():
    model = torch.nn.Module()
    model.backbone = ViTDetBackbone(arch=TINY_ARCH, img_size=64, patch_size=16)
    model.neck = SimpleFPN(in_channels=32, out_channels=16, in_stride=16)
    constructor = LayerDecayOptimWrapperConstructor(
        dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=1.0, weight_decay=0.1)),
        paramwise_cfg=dict(layer_decay_rate=0.5))
    optimizer = constructor(model).optimizer
    lr_of = {id(p): (g['lr'], g['weight_decay']) for g in optimizer.param_groups for p in g['params']}
    # 2 blocks -> depths 0..3; lr = 0.5 ** (3 - depth)
    assert lr_of[id(model.backbone.patch_embed.projection.weight)] == (0.125, 0.1)
    assert lr_of[id(model.backbone.layers[0].attn.qkv.weight)] == (0.25, 0.1)
    assert lr_of[id(model.backbone.layers[1].ffn.layers[1].weight)] == (0.5, 0.1)
    assert lr_of[id(model.backbone.layers[1].ln1.weight)] == (0.5, 0.0)
    assert lr_of[id(model.neck.stages[0][0].weight)][0] == 1.0
    assert lr_of[id(model.backbone.pos_embed)] == (0.125, 0.0)


def _convert(tool, config, checkpoint, out, *extra):
    return run([sys.executable, osp.join(REPO_ROOT, 'tools', 'model_converters', tool), config, checkpoint, out,
                *extra])


def test_extract_backbone_round_trip_loads_strictly(pretraining_checkpoint, tmp_path):
    checkpoint, config, model = pretraining_checkpoint
    out = str(tmp_path / 'backbone.pth')
    result = _convert('extract_backbone.py', config, checkpoint, out)
    assert result.returncode == 0, result.stderr
    assert 'missing none; unexpected none' in result.stdout
    converted = torch.load(out, weights_only=True)['state_dict']
    assert all(k.startswith('backbone.') for k in converted) and not any('momentum' in k for k in converted)
    # strict load into the detection backbone through init_cfg, at another input size
    backbone = ViTDetBackbone(arch=TINY_ARCH, img_size=64, patch_size=8,
                              init_cfg=dict(type='Pretrained', checkpoint=out, prefix='backbone.'))
    backbone.init_weights()
    torch.testing.assert_close(backbone.layers[1].attn.qkv.weight, model.backbone.layers[1].attn.qkv.weight)
    assert backbone.pos_embed.shape == (1, 64, 32)  # 8x8 patches, no CLS slot
    # the raw pre-training checkpoint loads the same way
    raw = ViTDetBackbone(arch=TINY_ARCH, img_size=32, patch_size=8,
                         init_cfg=dict(type='Pretrained', checkpoint=checkpoint, prefix='backbone.'))
    raw.init_weights()
    torch.testing.assert_close(raw.pos_embed, model.backbone.pos_embed[:, 1:])


def test_missing_backbone_key_is_refused(pretraining_checkpoint, tmp_path):
    checkpoint, config, _ = pretraining_checkpoint
    state = torch.load(checkpoint, weights_only=True)
    del state['state_dict']['backbone.layers.1.attn.proj.weight']
    broken = str(tmp_path / 'broken.pth')
    torch.save(state, broken)
    result = _convert('extract_backbone.py', config, broken, str(tmp_path / 'out.pth'))
    assert result.returncode != 0
    assert 'layers.1.attn.proj.weight' in result.stderr
    assert not (tmp_path / 'out.pth').exists()
    assert _convert('extract_backbone.py', config, broken, str(tmp_path / 'out.pth'), '--allow-missing').returncode == 0
    backbone = ViTDetBackbone(arch=TINY_ARCH, img_size=32, patch_size=8,
                              init_cfg=dict(type='Pretrained', checkpoint=broken, prefix='backbone.'))
    with pytest.raises(KeyError, match='layers.1.attn.proj.weight'):
        backbone.init_weights()


def test_timm_export_has_every_timm_key(pretraining_checkpoint, tmp_path):
    checkpoint, config, model = pretraining_checkpoint
    out = str(tmp_path / 'timm.pth')
    result = _convert('to_timm.py', config, checkpoint, out)
    assert result.returncode == 0, result.stderr
    converted = torch.load(out, weights_only=True)
    expected = {'cls_token', 'pos_embed', 'patch_embed.proj.weight', 'patch_embed.proj.bias', 'norm.weight',
                'norm.bias'}
    for i in range(2):
        expected |= {f'blocks.{i}.{m}.{p}' for m in ('norm1', 'norm2', 'attn.qkv', 'attn.proj', 'mlp.fc1', 'mlp.fc2')
                     for p in ('weight', 'bias')}
    assert set(converted) == expected
    torch.testing.assert_close(converted['blocks.1.mlp.fc2.weight'], model.backbone.layers[1].ffn.layers[1].weight)


def test_mask_rcnn_trains_and_evaluates_on_pennfudan(tmp_path, pennfudan_root, pretraining_checkpoint):
    checkpoint, _, _ = pretraining_checkpoint
    config = tmp_path / 'tiny_pennfudan.py'
    config.write_text(f"""_base_ = [{PENNFUDAN_CONFIG!r}]
model = dict(
    backbone=dict(arch={dict(TINY_ARCH, _delete_=True)!r}, img_size=128, patch_size=8, global_blocks=(1, ),
                  init_cfg=dict(checkpoint={checkpoint!r})),
    neck=dict(in_channels=32, in_stride=8))
train_dataloader = dict(num_workers=0, persistent_workers=False, dataset=dict(indices=8))
val_dataloader = dict(num_workers=0, persistent_workers=False, dataset=dict(indices=6))
test_dataloader = val_dataloader
default_hooks = dict(logger=dict(interval=1))
""")
    work_dir = tmp_path / 'work'
    result = run([sys.executable, osp.join(REPO_ROOT, 'tools', 'train.py'), str(config), '--data-root',
                  pennfudan_root, '--work-dir', str(work_dir), '--epochs', '1'])
    assert result.returncode == 0, result.stderr[-3000:]
    [scalars] = glob.glob(str(work_dir / '*' / 'vis_data' / 'scalars.json'))
    records = [json.loads(line) for line in open(scalars)]
    train = [r for r in records if 'loss' in r]
    assert len(train) == 2  # 8 images, batch 4
    assert all(torch.isfinite(torch.tensor(r['loss'])) for r in train)
    assert {'loss_rpn_cls', 'loss_bbox', 'loss_mask'} <= set(train[0])
    metrics = records[-1]

    # tools/test.py scores the trained checkpoint on the same val images: the same COCO figures as the run logged
    tested = run([sys.executable, osp.join(REPO_ROOT, 'tools', 'test.py'), str(config), str(work_dir / 'epoch_1.pth'),
                  '--data-root', pennfudan_root, '--work-dir', str(tmp_path / 'test')])
    assert tested.returncode == 0, tested.stderr[-3000:]
    for key in ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/segm_mAP', 'coco/segm_mAP_50'):
        printed = re.search(re.escape(key) + r': (-?[\d.]+)', tested.stdout + tested.stderr)
        assert printed, key
        assert float(printed.group(1)) == pytest.approx(metrics[key], abs=1e-4)


def test_detection_stays_float32_on_the_cpu_under_amp_auto():
    """mmcv's CPU nms / roi_align take float32 only: 'auto' must not turn bf16 on for a detector on the CPU,
    and 'on' is refused with the fix, before any training starts (it would fail inside mmcv's nms)."""
    from cledi.engine import setup_device
    if torch.cuda.is_available():
        pytest.skip('the rule is about the CPU; this machine has a GPU')
    cfg = setup_device(Config.fromfile(PENNFUDAN_CONFIG), amp='auto')
    assert cfg.optim_wrapper.type == 'OptimWrapper' and 'amp' not in cfg
    with pytest.raises(ValueError, match='--amp off'):
        setup_device(Config.fromfile(PENNFUDAN_CONFIG), amp='on')


def test_coco_evaluation_scores_the_ground_truth_as_perfect(pennfudan_root):
    """The real COCO evaluation of the detection benchmarks (MMDetection's CocoMetric on Penn-Fudan val): the
    ground truth handed back as predictions (boxes, masks, score 1) is 1.0 bbox and segm mAP; boxes moved off the
    image are 0.0."""
    import numpy as np
    from mmdet.evaluation import CocoMetric
    from pycocotools.coco import COCO
    ann_file = osp.join(pennfudan_root, 'annotations', 'val.json')
    coco = COCO(ann_file)

    def evaluate(shift):
        metric = CocoMetric(ann_file=ann_file, metric=['bbox', 'segm'])
        metric.dataset_meta = dict(classes=('pedestrian', ))
        for img_id in coco.getImgIds():
            image, anns = coco.loadImgs(img_id)[0], coco.loadAnns(coco.getAnnIds(imgIds=img_id))
            offset = shift * image['width']
            boxes = torch.tensor([[x + offset, y, x + w + offset, y + h] for x, y, w, h in
                                  (ann['bbox'] for ann in anns)], dtype=torch.float32)
            masks = np.stack([coco.annToMask(ann) for ann in anns]).astype(bool)
            metric.process({}, [dict(img_id=img_id, ori_shape=(image['height'], image['width']),
                                     pred_instances=dict(bboxes=boxes, scores=torch.ones(len(anns)),
                                                         labels=torch.zeros(len(anns), dtype=torch.long),
                                                         masks=torch.from_numpy(masks)))])
        return metric.evaluate(len(coco.getImgIds()))

    perfect = evaluate(0)
    assert perfect['coco/bbox_mAP'] == 1.0 and perfect['coco/segm_mAP'] == 1.0
    assert evaluate(1)['coco/bbox_mAP'] == 0.0
