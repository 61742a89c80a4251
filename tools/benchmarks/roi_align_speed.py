"""RoIAlign on the CPU: mmcv's kernel, torchvision's, and cledi's SeparableRoIAlign, forward + backward.

    python tools/benchmarks/roi_align_speed.py [--rounds 5] [--iters 10]

The pooling of one training step of the Penn-Fudan Mask R-CNN
(configs/benchmarks/detection/mask-rcnn_vit-mini-p8-simplefpn_1xb4-24e_pennfudan.py): 4 images at 192 px, the
stride-4 pyramid level (4, 128, 48, 48) that pedestrian boxes map to at that size, 64 sampled RoIs per image for
the box head (7x7: 16 around ground-truth boxes, 48 background boxes) and 16 positives per image for the mask head
(14x14). The positives are the training images' pedestrian boxes, rescaled as the detector sees them and jittered
by 10 % of their size, as proposals are. Each round runs every implementation (in turn) for ``--iters`` calls of
box + mask pooling, forward and backward; prints the median ms per call, the ratios to mmcv, and the largest
difference to torchvision's output, and writes them to docs/benchmarks.md.
"""
import json
import os.path as osp
import statistics
import time

import torch

from cledi.apis import tool_parser
from cledi.benchmarks.common import ROOT, default_data_root, machine
from cledi.benchmarks.report import write_section

IMAGES, SIZE, STRIDE, CHANNELS = 4, 192, 4, 128
BOX_ROIS, MASK_ROIS = 64, 16  # per image: the config's rcnn sampler (num=64, pos_fraction 0.25)


def parse_args(argv=None):
    parser = tool_parser(__doc__)
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--data-root', default=default_data_root('pennfudan'))
    parser.add_argument('--out', default='docs/benchmarks.md')
    parser.add_argument('--no-write', action='store_true', help='print only')
    return parser.parse_args(argv)


def pedestrian_rois(data_root, generator):
    """(box RoIs, mask RoIs), (R, 5) in 192-px image coordinates, from the training annotations."""
    ann_file = osp.join(data_root, 'annotations', 'train.json')
    if not osp.isfile(ann_file):
        raise SystemExit(f"'{ann_file}' does not exist: pass --data-root, the folder holding annotations/train.json")
    coco = json.load(open(ann_file))
    scale = {im['id']: SIZE / max(im['width'], im['height']) for im in coco['images']}
    boxes = torch.tensor([[v * scale[a['image_id']] for v in a['bbox']] for a in coco['annotations']])  # x y w h
    box_rois, mask_rois = [], []
    for image in range(IMAGES):
        picked = boxes[torch.randint(len(boxes), (MASK_ROIS, ), generator=generator)]
        jitter = 1 + 0.1 * torch.randn(MASK_ROIS, 4, generator=generator)
        x1y1 = picked[:, :2] + picked[:, 2:] * (jitter[:, :2] - 1)
        positives = torch.cat([x1y1, x1y1 + picked[:, 2:] * jitter[:, 2:]], 1)
        corner = torch.rand(BOX_ROIS - MASK_ROIS, 2, generator=generator) * SIZE * 0.8
        size = 10 + torch.rand(BOX_ROIS - MASK_ROIS, 2, generator=generator) * 90
        negatives = torch.cat([corner, (corner + size).clamp(max=SIZE)], 1)
        index = torch.full((BOX_ROIS, 1), float(image))
        box_rois.append(torch.cat([index, torch.cat([positives, negatives])], 1))
        mask_rois.append(torch.cat([index[:MASK_ROIS], positives], 1))
    return torch.cat(box_rois), torch.cat(mask_rois)


def implementations():
    from mmcv.ops import roi_align as mmcv_roi_align
    from torchvision.ops import roi_align as torchvision_roi_align

    from cledi.det import separable_roi_align
    return {
        'mmcv': lambda x, rois, size: mmcv_roi_align(x, rois, size, 1 / STRIDE, 0, 'avg', True),
        'torchvision': lambda x, rois, size: torchvision_roi_align(x, rois, size, 1 / STRIDE, 0, True),
        'cledi SeparableRoIAlign': lambda x, rois, size: separable_roi_align(x, rois, (size, size), 1 / STRIDE, 0),
    }


def main(argv=None):
    args = parse_args(argv)
    generator = torch.Generator().manual_seed(0)
    box_rois, mask_rois = pedestrian_rois(args.data_root, generator)
    level = torch.randn(IMAGES, CHANNELS, SIZE // STRIDE, SIZE // STRIDE, generator=generator)
    impls = implementations()
    heads = ((box_rois, 7), (mask_rois, 14))  # (RoIs, output size) of the box and the mask head
    grads = {size: torch.randn(len(rois), CHANNELS, size, size, generator=generator) for rois, size in heads}

    def call(impl):
        features = level.clone().requires_grad_()
        for rois, size in heads:
            impl(features, rois, size).backward(grads[size])

    reference = {size: impls['torchvision'](level, rois, size) for rois, size in heads}
    max_diff = {name: max((impl(level, rois, size) - reference[size]).abs().max().item() for rois, size in heads)
                for name, impl in impls.items()}
    times = {name: [] for name in impls}
    for round_ in range(args.rounds):
        for name, impl in impls.items():  # alternating, so the machine's drift is shared
            call(impl)  # warm-up
            start = time.perf_counter()
            for _ in range(args.iters):
                call(impl)
            times[name].append((time.perf_counter() - start) / args.iters * 1000)
        print(f'round {round_ + 1}/{args.rounds}: ' + ', '.join(f'{n} {t[-1]:.1f} ms' for n, t in times.items()),
              flush=True)
    median = {name: statistics.median(t) for name, t in times.items()}
    lines = [
        f'Command: `python tools/benchmarks/roi_align_speed.py --rounds {args.rounds} --iters {args.iters}`',
        '',
        f'Machine: {machine()}, torch {torch.__version__}, {torch.get_num_threads()} threads. One call = the box '
        f'head\'s {len(box_rois)} RoIs (7x7) and the mask head\'s {len(mask_rois)} (14x14) on a ({IMAGES}, {CHANNELS}, '
        f'{SIZE // STRIDE}, {SIZE // STRIDE}) map, forward and backward; median of {args.rounds} alternating rounds '
        f'of {args.iters} calls.',
        '',
        '| implementation | ms per call (median) | per round | ratio to mmcv | max abs diff to torchvision |',
        '|---|---|---|---|---|',
    ]
    for name, t in times.items():
        lines.append(f'| {name} | {median[name]:.1f} | {", ".join(f"{x:.1f}" for x in t)} | '
                     f'{median[name] / median["mmcv"]:.2f} | {max_diff[name]:.1e} |')
    print('\n'.join(lines))
    if not args.no_write:
        write_section(osp.join(ROOT, args.out), 'roi-align-speed',
                      'RoIAlign on the CPU: mmcv, torchvision, SeparableRoIAlign', '\n'.join(lines))
    return median, max_diff


if __name__ == '__main__':
    main()
