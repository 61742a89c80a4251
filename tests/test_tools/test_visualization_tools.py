"""tools/visualization/: every command writes a PNG of the size it promises; bad input names itself."""
import json

import pytest
import torch
from PIL import Image

from cledi.utils.errors import InputError, MissingInputError
from tools.visualization import vis_attention, vis_curves, vis_similarity, vis_tsne

from ..helpers import build_model, tiny_cledi_config

FEW_IMAGES = ['--cfg-options', 'knn_query_dataloader.dataset.dataset.indices=40',
              'knn_query_dataloader.num_workers=0']


def png_size(path):
    with Image.open(path) as image:
        assert image.format == 'PNG'
        return image.size


def test_attention_of_random_and_saved_models_side_by_side(tmp_path, cifar10_root, pretraining_checkpoint):
    checkpoint, config, _ = pretraining_checkpoint
    out = tmp_path / 'attention.png'
    vis_attention.main([config, 'random', config, checkpoint, '--labels', 'random', 'trained', '--heads',
                        '--num-images', '3', '--data-root', cifar10_root, '--out', str(out), '--cell-size', '1',
                        '--dpi', '40', *FEW_IMAGES])
    # 3 images wide; rows: the inputs, then per model the head mean and its 2 heads
    assert png_size(out) == (3 * 40, (1 + 2 * 3) * 40)


def test_attention_of_image_files_and_bad_inputs_are_named(tmp_path, cifar10_root, pretraining_checkpoint):
    checkpoint, config, _ = pretraining_checkpoint
    files = [f'{cifar10_root}/test/cat/0000.jpg', f'{cifar10_root}/test/ship/0001.jpg']
    out = tmp_path / 'files.png'
    vis_attention.main([config, checkpoint, '--images', *files, '--out', str(out), '--cell-size', '1', '--dpi',
                        '50'])
    assert png_size(out) == (2 * 50, 2 * 50)
    with pytest.raises(MissingInputError, match="missing.jpg' does not exist; pass an existing JPEG / PNG file"):
        vis_attention.main([config, checkpoint, '--images', str(tmp_path / 'missing.jpg'), '--out',
                            str(tmp_path / 'x.png')])
    with pytest.raises(InputError, match='has no attention pooling in its detail part'):
        vis_attention.main([config, checkpoint, '--images', *files, '--aggregator', '--out', str(tmp_path / 'y.png')])
    assert not (tmp_path / 'y.png').exists()


def test_a_checkpoint_of_another_model_is_an_error_naming_it(tmp_path, cifar10_root, pretraining_checkpoint):
    _, config, _ = pretraining_checkpoint
    wider = tiny_cledi_config(backbone=dict(arch=dict(embed_dims=48, num_heads=2)), neck=dict(in_channels=48))
    other = tmp_path / 'other_model.pth'
    torch.save(dict(state_dict=build_model(wider.model).state_dict()), other)
    with pytest.raises(KeyError, match='other_model.pth'):
        vis_similarity.main([config, str(other), '--num-images', '2', '--data-root', cifar10_root, '--out',
                             str(tmp_path / 'z.png'), *FEW_IMAGES])


def test_patch_similarity_writes_its_png(tmp_path, cifar10_root, pretraining_checkpoint):
    checkpoint, config, _ = pretraining_checkpoint
    out = tmp_path / 'similarity.png'
    vis_similarity.main([config, checkpoint, '--num-images', '4', '--patch', '0', '3', '--data-root', cifar10_root,
                         '--out', str(out), '--cell-size', '1', '--dpi', '40', *FEW_IMAGES])
    assert png_size(out) == (4 * 40, 2 * 40)
    with pytest.raises(ValueError, match='outside the 4x4 patch grid'):
        vis_similarity.main([config, checkpoint, '--num-images', '2', '--patch', '4', '0', '--data-root',
                             cifar10_root, '--out', str(tmp_path / 'bad.png'), *FEW_IMAGES])


def test_tsne_of_two_feature_types(tmp_path, cifar10_root, pretraining_checkpoint):
    checkpoint, config, _ = pretraining_checkpoint
    out = tmp_path / 'tsne.png'
    vis_tsne.main([config, checkpoint, '--num-samples', '30', '--data-root', cifar10_root, '--out', str(out),
                   '--cell-size', '2', '--dpi', '40', *FEW_IMAGES])
    assert png_size(out) == (2 * 2 * 40, 2 * 40)


def test_curves_of_two_runs_and_a_missing_key(tmp_path):
    for name, records in [('cledi', [dict(loss=7.0, loss_global=3.6, loss_detail=3.4, epoch=1, iter=39),
                                     {'knn/top1_k20': 31.0, 'epoch': 1, 'step': 1}]),
                          ('mocov3', [dict(loss=3.5, epoch=1, iter=39), {'knn/top1_k20': 32.0, 'epoch': 1}])]:
        folder = tmp_path / name / '20261128_000000' / 'vis_data'
        folder.mkdir(parents=True)
        (folder / 'scalars.json').write_text('\n'.join(json.dumps(r) for r in records) + '\n')
    out = tmp_path / 'curves.png'
    vis_curves.main([str(tmp_path / 'cledi'), str(tmp_path / 'mocov3'), '--out', str(out), '--dpi', '40'])
    assert png_size(out) == (int(3 * 4.5 * 40), int(3.2 * 40))
    from cledi.visualization.curves import run_curves
    assert run_curves(str(tmp_path / 'mocov3'), ['loss_global']) == {'loss_global': ([1.0], [3.5])}
    with pytest.raises(InputError, match='no run logged'):
        vis_curves.main([str(tmp_path / 'cledi'), '--keys', 'knn/top1_k200', '--out', str(tmp_path / 'x.png')])
