"""What "detail" features group together: cosine similarity of one patch to every patch of several images.

    python tools/visualization/vis_similarity.py CONFIG CHECKPOINT [CONFIG CHECKPOINT ...] --out similarity.png
        [--labels NAME ...] [--images FILE ... | --num-images 6 | --indices I ...]
        [--reference 0] [--patch ROW COL]

The reference is one patch (the centre one unless ``--patch``) of image ``--reference`` (marked in the first
row); each model's row shows its similarity to every patch of every image, on one fixed [-1, 1] colour scale, so
the same image shows what the patch is like inside its object and the other images what it matches elsewhere.
Features are the last block's patch tokens (what the detail module aggregates).
"""

import torch

from cledi.apis import run_tool, tool_parser
from cledi.models.backbones.vit import split_tokens
from cledi.visualization import (map_grid_figure, patch_grid, patch_index, patch_similarity_maps,
                                 preprocess, save_figure)
from cledi.visualization.cli import add_image_args, add_model_args, load_images, load_models, logger


def parse_args(argv=None):
    parser = tool_parser(__doc__, 'patch-similarity maps of pre-trained ViTs')
    add_model_args(parser)
    add_image_args(parser)
    parser.add_argument('--reference', type=int, default=0, help='the image (position in the figure) whose patch '
                        'is the reference')
    parser.add_argument('--patch', type=int, nargs=2, metavar=('ROW', 'COL'), help='the reference patch on the '
                        'patch grid (default: the centre)')
    parser.add_argument('--cell-size', type=float, default=1.4, help='inches per image')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    log = logger()
    models = load_models(args)
    batch, titles = load_images(args, models[0][1])
    if not 0 <= args.reference < len(titles):
        raise SystemExit(f'--reference {args.reference} is not one of the {len(titles)} images (0-{len(titles) - 1})')
    rows, images, box = [], None, None
    for label, _, model in models:
        inputs, display = preprocess(model, batch)
        images = display if images is None else images
        grid = patch_grid(model.backbone, inputs)
        index = patch_index(grid, *(args.patch or (None, None)))
        with torch.no_grad():
            tokens = model.backbone(inputs)[-1]
        _, patch_tokens = split_tokens(tokens, model.backbone.num_extra_tokens)
        maps = patch_similarity_maps(tokens, patch_tokens[args.reference, index], grid)
        rows.append((f'{label}\ncosine', maps.numpy()))
        size = inputs.shape[-1] // grid[1], inputs.shape[-2] // grid[0]
        box = (index % grid[1] * size[0], index // grid[1] * size[1], size[0], size[1])
    fig = map_grid_figure(images, rows, titles, cmap='coolwarm', alpha=0.7, symmetric=True,
                          boxes={args.reference: box}, cell_size=args.cell_size)
    path = save_figure(fig, args.out, args.dpi)
    log.info(f'patch-similarity maps of {len(models)} model(s) on {len(titles)} images written to {path}')
    return path


if __name__ == '__main__':
    run_tool(main)
