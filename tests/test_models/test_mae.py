"""MAE through MMPretrain's own classes, driven by a cledi config: it trains through tools/train.py with the kNN
monitor on its unmasked encoder, and its encoder is a cledi.ViT checkpoint for every evaluation."""
import os.path as osp
import sys

import pytest
import torch

from ..conftest import REPO_ROOT
from ..test_tools.test_train import TRAIN, run, scalars

MAE_CONFIG = osp.join(REPO_ROOT, 'configs', 'mae', 'mae_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py')


def tiny_mae_config(path, data_root, ann_file):
    """The MAE config at unit size: width 32, 2 layers, patch 8 at 32 px (16 patches), a 1-block decoder."""
    path.write_text(f"""_base_ = [{MAE_CONFIG!r}]
data_root = {data_root!r}
model = dict(
    backbone=dict(arch=dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64), patch_size=8),
    neck=dict(num_patches=16, patch_size=8, embed_dim=32, decoder_embed_dim=32, decoder_depth=1, decoder_num_heads=2),
    head=dict(patch_size=8))
train_dataloader = dict(batch_size=32, num_workers=0, persistent_workers=False,
                        dataset=dict(data_root=data_root, ann_file={ann_file!r}))
knn_bank_dataloader = dict(batch_size=64, num_workers=0, dataset=dict(data_root=data_root, ann_file={ann_file!r}))
knn_query_dataloader = dict(batch_size=64, num_workers=0, dataset=dict(data_root=data_root, indices=200))
knn_test_dataloader = dict(batch_size=64, num_workers=0, dataset=dict(data_root=data_root, indices=200))
train_cfg = dict(max_epochs=1)
default_hooks = dict(logger=dict(interval=2), checkpoint=dict(interval=1), knn=dict(interval=1, ks=(5, 20)))
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(vis_backends=vis_backends)
""")
    return str(path)


def test_mae_trains_and_its_encoder_is_scored_unmasked(tmp_path, cifar10_root, cifar10_subset):
    from cledi.apis import build_model, load_config
    from cledi.evaluation.knn import backbone_features
    config = tiny_mae_config(tmp_path / 'mae.py', cifar10_root, cifar10_subset)
    work_dir = str(tmp_path / 'work')
    result = run([sys.executable, TRAIN, config, '--work-dir', work_dir, '--amp', 'off'])
    assert result.returncode == 0, result.stderr[-3000:]
    records = scalars(work_dir)
    losses = [r['loss'] for r in records if 'loss' in r]
    assert len(losses) == 4 and all(0 < loss < 10 for loss in losses)  # 8 iterations logged every 2
    assert [r['epoch'] for r in records if 'knn/top1_k20' in r] == [1]

    checkpoint = torch.load(osp.join(work_dir, 'epoch_1.pth'), map_location='cpu', weights_only=True)['state_dict']
    mae = build_model(load_config(config))
    mae.load_state_dict(checkpoint, strict=True)
    mae.eval()
    images = torch.randn(4, 3, 32, 32)
    # the kNN features are the unmasked encoder's: the same twice (a masked forward draws a new mask each time)
    first, second = backbone_features(mae.backbone, images), backbone_features(mae.backbone, images)
    assert torch.equal(first, second)
    # the encoder loads strictly into cledi.ViT (what the fine-tune, linear and detection configs build) and gives
    # the same features there
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    vit = MODELS.build(dict(type='cledi.ViT', arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                                                        feedforward_channels=64), img_size=32, patch_size=8))
    vit.load_state_dict({k[len('backbone.'):]: v for k, v in checkpoint.items() if k.startswith('backbone.')},
                        strict=True)
    vit.eval()
    torch.testing.assert_close(backbone_features(vit, images), first, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match='needs patch tokens'):
        backbone_features(MODELS.build(dict(type='cledi.ViT', arch='nano', img_size=32, patch_size=8,
                                            out_type='cls_token')), images, 'mean')
