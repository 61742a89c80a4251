"""tools/knn_eval.py: the offline kNN numbers of a pre-training checkpoint, checked where the answer is known."""
import json
import os.path as osp
import sys

import pytest

from ..conftest import REPO_ROOT
from .test_train import run

KNN_EVAL = osp.join(REPO_ROOT, 'tools', 'knn_eval.py')
SMALL = ['knn_bank_dataloader.num_workers=0', 'knn_query_dataloader.num_workers=0',
         'knn_test_dataloader.num_workers=0']


def test_queries_that_are_the_bank_are_their_own_nearest_neighbour(tmp_path, cifar10_root, pretraining_checkpoint):
    """With the bank's images as the queries, k=1 finds each query itself: 100.0 exactly. The momentum encoder of
    a checkpoint taken right after initialisation is a copy of the online one: the same numbers."""
    checkpoint, config, _ = pretraining_checkpoint
    same_images = ['knn_query_dataloader.dataset.dataset.ann_file=meta/train_10pct.txt',
                   'knn_query_dataloader.dataset.dataset.indices=1000',
                   'knn_bank_dataloader.dataset.dataset.indices=1000']
    numbers = []
    for extra in ([], ['--momentum']):
        out = tmp_path / f'knn{len(extra)}.json'
        result = run([sys.executable, KNN_EVAL, config, checkpoint, '--data-root', cifar10_root, '--ks', '1', '20',
                      '--feature', 'cls+mean', '--linear', '--out', str(out), *extra, '--cfg-options', *same_images,
                      *SMALL])
        assert result.returncode == 0, result.stderr[-3000:]
        numbers.append(json.loads(out.read_text()))
        assert numbers[-1]['top1_k1'] == 100.0
        assert f"top1_k1 {100:.2f}" in result.stdout + result.stderr
        assert 'bank 1000 images, val queries 1000 images' in result.stdout + result.stderr
    assert numbers[0]['top1_k20'] == numbers[1]['top1_k20'] and numbers[1]['momentum'] is True
    assert numbers[0]['linear_c'] in (0.01, 0.1, 1.0)


def test_test_split_patch_features_of_a_mocov3_config_and_seeded_random_init(tmp_path, cifar10_root, cifar10_subset):
    # MoCo v3 configs build the ViT with out_type='cls_token'; patch features need the raw tokens
    config = osp.join(REPO_ROOT, 'configs', 'mocov3', 'mocov3_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py')
    with open(osp.join(cifar10_root, 'meta', 'test.txt')) as f:  # 200 test images, 20 of each class, interleaved
        lines = f.read().splitlines()
    queries = tmp_path / 'test_200.txt'
    queries.write_text('\n'.join(lines[label * 1000 + rank] for rank in range(20) for label in range(10)) + '\n')
    outs = []
    for attempt in range(2):
        out = tmp_path / f'knn{attempt}.json'
        result = run([sys.executable, KNN_EVAL, config, 'random', '--data-root', cifar10_root, '--split', 'test',
                      '--feature', 'cls', 'mean', '--out', str(out), '--similar-classes', 'cifar10', '--cfg-options',
                      f'knn_bank_dataloader.dataset.dataset.ann_file={cifar10_subset}',
                      f'knn_test_dataloader.dataset.dataset.ann_file={queries}', *SMALL])
        assert result.returncode == 0, result.stderr[-3000:]
        outs.append(json.loads(out.read_text()))
    assert set(outs[0]) == {'cls', 'mean', 'checkpoint', 'split', 'momentum'} and outs[0]['split'] == 'test'
    assert outs[0]['cls'] == outs[1]['cls']  # 'random' is seeded: the same weights every time
    assert 'test queries 200 images' in result.stdout + result.stderr
    # the errors of the first k (20) are counted, and those between the four declared pairs of similar classes
    cls = outs[0]['cls']
    assert 0 < cls['errors'] == round(200 * (100 - cls['top1_k20']) / 100) and 0 < cls['similar_errors'] < cls['errors']
    assert cls['similar_error_share'] == pytest.approx(100 * cls['similar_errors'] / cls['errors'])
