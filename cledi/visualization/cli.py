"""Command-line plumbing of tools/visualization/: models as CONFIG CHECKPOINT pairs, images, output."""
import argparse
import os.path as osp
from typing import List, Tuple

from mmengine.config import DictAction
from mmengine.logging import MMLogger

from cledi.apis import init_model, load_config
from cledi.utils.errors import InputError
from cledi.visualization.loading import check_image_files, dataset_images, file_images, labels_of


def add_model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('models', nargs='+', metavar='CONFIG CHECKPOINT',
                        help="one or more pairs: a CL-EDI / MoCo v3 pre-training config and a checkpoint of it "
                        "(or 'random')")
    parser.add_argument('--labels', nargs='+', help='a name per model (default: the config name, or the '
                        "checkpoint's folder)")
    parser.add_argument('--data-root', help='point every dataloader of the configs here')
    parser.add_argument('--seed', type=int, default=0, help="seed of the weights that 'random' means")
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='overrides for every config')
    parser.add_argument('--out', required=True, help='the PNG file to write')
    parser.add_argument('--dpi', type=int, default=100)


def add_image_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--images', nargs='+', help='image files (default: images of the first config\'s '
                        'kNN query split)')
    parser.add_argument('--num-images', type=int, default=6, help='images of the dataset, spread over it')
    parser.add_argument('--indices', type=int, nargs='+', help='these dataset images instead')
    parser.add_argument('--image-size', type=int, help='side of image files after resize + centre crop '
                        "(default: the backbone's img_size)")


def load_models(args) -> List[Tuple[str, object, object]]:
    """``(label, config, model)`` per CONFIG CHECKPOINT pair of the command line."""
    if len(args.models) % 2:
        raise InputError(f'models must come as CONFIG CHECKPOINT pairs; got {len(args.models)} values: '
                         f'{" ".join(args.models)}')
    pairs = list(zip(args.models[::2], args.models[1::2]))
    if args.labels and len(args.labels) != len(pairs):
        raise InputError(f'--labels needs one name per model ({len(pairs)}), got {len(args.labels)}')
    check_image_files(getattr(args, 'images', None) or [])
    loaded = []
    for index, (config, checkpoint) in enumerate(pairs):
        cfg = load_config(config, args.cfg_options, args.data_root)
        model = init_model(cfg, checkpoint, args.seed)
        label = args.labels[index] if args.labels else default_label(config, checkpoint)
        MMLogger.get_current_instance().info(f'{label}: {config} with {checkpoint}')
        loaded.append((label, cfg, model))
    return loaded


def default_label(config: str, checkpoint: str) -> str:
    if checkpoint == 'random':
        return 'random init'
    return osp.basename(osp.dirname(osp.abspath(checkpoint))) or osp.splitext(osp.basename(config))[0]


def load_images(args, cfg) -> Tuple[dict, List[str]]:
    """The batch the command line asks for (image files, chosen dataset images, or images spread over the
    dataset) and a title per image (file name, or class name / label)."""
    if args.images:
        size = args.image_size or cfg.model.backbone.get('img_size', 224)
        return file_images(args.images, size), [osp.basename(path) for path in args.images]
    batch, _, classes = dataset_images(cfg, args.num_images, indices=args.indices)
    labels = labels_of(batch)
    return batch, [classes[label] if classes else str(label) for label in labels]


def logger() -> MMLogger:
    return MMLogger.get_instance('cledi_vis', log_level='INFO')
