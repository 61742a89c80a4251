"""tools/knn_eval.py: the offline kNN numbers of a pre-training checkpoint."""
import json
import os.path as osp
import sys

from ..conftest import REPO_ROOT
from .test_train import run


def test_knn_eval_prints_and_writes_the_numbers(tmp_path, cifar10_root, pretraining_checkpoint):
    checkpoint, config, _ = pretraining_checkpoint
    out = tmp_path / 'knn.json'
    result = run([sys.executable, osp.join(REPO_ROOT, 'tools', 'knn_eval.py'), config, checkpoint, '--data-root',
                  cifar10_root, '--feature', 'cls+mean', '--linear', '--out', str(out), '--cfg-options',
                  'knn_bank_dataloader.dataset.dataset.indices=1000', 'knn_query_dataloader.dataset.dataset.indices=300',
                  'knn_bank_dataloader.num_workers=0', 'knn_query_dataloader.num_workers=0'])
    assert result.returncode == 0, result.stderr[-3000:]
    numbers = json.loads(out.read_text())
    assert set(numbers) >= {'top1_k20', 'top1_k200', 'linear_top1', 'linear_c'}
    assert 10.0 < numbers['top1_k20'] <= 100.0  # 10 classes; features of a random tiny ViT are above chance
    assert 10.0 < numbers['linear_top1'] <= 100.0 and numbers['linear_c'] in (0.01, 0.1, 1.0)
    assert f"top1_k20 {numbers['top1_k20']:.2f}" in result.stdout + result.stderr
    assert 'bank 1000 images, queries 300 images' in result.stdout + result.stderr


def test_knn_eval_patch_features_of_a_mocov3_config_and_random_init(tmp_path, cifar10_root):
    # MoCo v3 configs build the ViT with out_type='cls_token'; patch features need the raw tokens
    config = osp.join(REPO_ROOT, 'configs', 'mocov3', 'mocov3_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py')
    outs = []
    for attempt in range(2):
        out = tmp_path / f'knn{attempt}.json'
        result = run([sys.executable, osp.join(REPO_ROOT, 'tools', 'knn_eval.py'), config, 'random', '--data-root',
                      cifar10_root, '--feature', 'cls', 'mean', '--out', str(out), '--cfg-options',
                      'knn_bank_dataloader.dataset.dataset.indices=500', 'knn_query_dataloader.dataset.dataset.indices=200',
                      'knn_bank_dataloader.num_workers=0', 'knn_query_dataloader.num_workers=0'])
        assert result.returncode == 0, result.stderr[-3000:]
        outs.append(json.loads(out.read_text()))
    assert set(outs[0]) == {'cls', 'mean', 'checkpoint'}
    assert outs[0]['cls'] == outs[1]['cls']  # 'random' is seeded: the same weights every time
    for feature in ('cls', 'mean'):
        assert 10.0 < outs[0][feature]['top1_k20'] <= 100.0
    assert "out_type='raw'" in result.stdout + result.stderr
