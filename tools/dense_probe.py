"""Frozen dense linear probe of a pre-trained ViT on Penn-Fudan person masks: mIoU on the 50 val images.

    python tools/dense_probe.py CONFIG CHECKPOINT|random [--data-root ../shared/data/pennfudan]
        [--input-size 128] [--mask-size 128] [--steps 300] [--out result.json]

CONFIG is any CL-EDI / MoCo v3 pre-training config (its backbone and data preprocessor are used; its datasets
are not). Images are resized to ``--input-size`` squared (the position embedding is interpolated to the new
patch grid), the backbone's last patch tokens are extracted once for the 120 training images and their
horizontal flips and for the 50 val images, a per-token linear classifier (person / background) is fitted on
the training tokens, and the val masks (at ``--mask-size``) are scored: IoU per class, mIoU, pixel accuracy.
"""
import argparse
import json
import os.path as osp
import sys
import time

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from cledi.evaluation.dense_probe import (evaluate_dense_probe, fit_dense_probe, load_instance_masks,  # noqa: E402
                                         token_grid)
from cledi.visualization import load_config, load_model  # noqa: E402
from mmengine.logging import MMLogger  # noqa: E402
from mmengine.utils import ProgressBar  # noqa: E402

DEFAULT_DATA_ROOT = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'shared', 'data',
                             'pennfudan')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='dense linear probe (Penn-Fudan person masks, mIoU)')
    parser.add_argument('config')
    parser.add_argument('checkpoint', help="a pre-training .pth file, or 'random'")
    parser.add_argument('--data-root', default=DEFAULT_DATA_ROOT,
                        help='the Penn-Fudan folder (images/, annotations/{train,val}.json)')
    parser.add_argument('--input-size', type=int, default=128, help='square input side, a multiple of the patch '
                        '(default: where random init scores best, docs/benchmarks.md)')
    parser.add_argument('--mask-size', type=int, default=128, help='side of the masks the probe is scored on')
    parser.add_argument('--steps', type=int, default=300)
    parser.add_argument('--lr', type=float, default=0.05)
    parser.add_argument('--no-flip', action='store_true', help='do not add flipped training images')
    parser.add_argument('--seed', type=int, default=0, help="probe seed; also the weights 'random' means")
    parser.add_argument('--out', help='also write the numbers as JSON here')
    return parser.parse_args(argv)


@torch.no_grad()
def extract(model, data_root, names, size, flip=False, batch_size=16):
    """Token grids (N, C, h, w) of the named images, resized to ``size`` squared (mirrored with ``flip``)."""
    import mmcv
    grids, progress = [], ProgressBar(len(names))
    for start in range(0, len(names), batch_size):
        images = []
        for name in names[start:start + batch_size]:
            path = osp.join(data_root, 'images', name)
            image = mmcv.imread(path, channel_order='bgr')
            if image is None:
                raise FileNotFoundError(f"image '{path}' (listed in the annotations) cannot be read")
            image = torch.from_numpy(mmcv.imresize(image, (size, size))).permute(2, 0, 1)
            images.append(image.flip(-1) if flip else image)
        # one view, as a list of view batches: what both cledi's MultiViewPreprocessor and MMPretrain's
        # SelfSupDataPreprocessor (the PIL-path configs) normalise without augmenting
        inputs = model.data_preprocessor(dict(inputs=[torch.stack(images)], data_samples=None), False)['inputs'][0]
        grids.append(token_grid(model.backbone, inputs))
        for _ in images:
            progress.update()
    sys.stdout.write('\n')
    return torch.cat(grids)


def main(argv=None):
    args = parse_args(argv)
    logger = MMLogger.get_instance('cledi_dense_probe', log_level='INFO')
    start = time.time()
    model = load_model(load_config(args.config), args.checkpoint, args.seed)
    names, masks = {}, {}
    for split in ('train', 'val'):
        names[split], masks[split] = load_instance_masks(
            osp.join(args.data_root, 'annotations', f'{split}.json'), args.mask_size)
    train_grids = extract(model, args.data_root, names['train'], args.input_size)
    train_masks = masks['train']
    if not args.no_flip:  # the tokens of a mirrored image are not the mirrored tokens: extract them
        train_grids = torch.cat([train_grids, extract(model, args.data_root, names['train'], args.input_size, True)])
        train_masks = torch.cat([train_masks, train_masks.flip(-1)])
    val_grids = extract(model, args.data_root, names['val'], args.input_size)
    probe = fit_dense_probe(train_grids, train_masks, steps=args.steps, lr=args.lr, seed=args.seed)
    scores = evaluate_dense_probe(probe, val_grids, masks['val'])
    scores.update(train_mIoU=evaluate_dense_probe(probe, train_grids, train_masks)['mIoU'],
                  seconds=time.time() - start)
    logger.info(f'dense probe of {args.checkpoint} ({args.input_size} px input, {tuple(val_grids.shape[-2:])} '
                f'tokens): val mIoU {scores["mIoU"]:.2f} (person IoU {scores["iou_1"]:.2f}, background '
                f'{scores["iou_0"]:.2f}, pixel acc {scores["pixel_acc"]:.2f}); train mIoU {scores["train_mIoU"]:.2f}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(scores, checkpoint=args.checkpoint, config=args.config, input_size=args.input_size), f,
                      indent=2)
    return scores


if __name__ == '__main__':
    torch.set_grad_enabled(True)
    main()
