"""Frozen dense linear probe of a pre-training checkpoint: per-token linear classifier, Penn-Fudan person masks.

    python tools/dense_probe.py CONFIG CHECKPOINT|random [--data-root DIR] [--input-size 128] [--steps 300]
                                [--out FILE] [--debug]

The backbone is frozen; its last-block patch tokens of each image (resized to ``--input-size`` squared, the
position embedding interpolated) go through one linear map per token, trained on the 120 training images and
their mirror images, scored as mIoU on the 50 val images (``cledi.evaluation.dense_probe.run_dense_probe``).
"""
import json

import torch
from mmengine.logging import MMLogger

from cledi.apis import checkpoint_parser, default_data_root, init_model, load_config, run_tool
from cledi.evaluation.dense_probe import run_dense_probe


def parse_args(argv=None):
    parser = checkpoint_parser('dense linear probe (Penn-Fudan person masks, mIoU)',
                               'python tools/dense_probe.py configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-'
                               '10pct.py work_dirs/run/epoch_12.pth --input-size 128')
    parser.add_argument('--data-root', default=default_data_root('pennfudan'),
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


def main(argv=None):
    args = parse_args(argv)
    logger = MMLogger.get_instance('cledi_dense_probe', log_level='INFO')
    model = init_model(load_config(args.config), args.checkpoint, args.seed)
    scores = run_dense_probe(model, args.data_root, args.input_size, args.mask_size, args.steps, args.lr,
                             flip=not args.no_flip, seed=args.seed)
    logger.info(f'dense probe of {args.checkpoint} ({args.input_size} px input, {tuple(scores["grid"])} tokens): val '
                f'mIoU {scores["mIoU"]:.2f} (person IoU {scores["iou_1"]:.2f}, background {scores["iou_0"]:.2f}, pixel '
                f'acc {scores["pixel_acc"]:.2f}); train mIoU {scores["train_mIoU"]:.2f}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(scores, checkpoint=args.checkpoint, config=args.config, input_size=args.input_size), f,
                      indent=2)
    return scores


if __name__ == '__main__':
    torch.set_grad_enabled(True)
    run_tool(main)
