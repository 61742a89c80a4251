"""Where the CLS token looks: the last block's CLS-to-patch attention overlaid on the images, for one or more models.

    python tools/visualization/vis_attention.py CONFIG CHECKPOINT [CONFIG CHECKPOINT ...] --out attention.png
        [--labels NAME ...] [--images FILE ... | --num-images 6 | --indices I ...] [--heads] [--aggregator]

Rows: the input images, then per model the attention averaged over the heads (``--heads``: each head too;
``--aggregator``: a CL-EDI ``'attn'`` aggregator's query-to-patch attention as well). Each map is the CLS row of
the attention renormalised over the patches, upsampled bilinearly to the image. Several models side by side (e.g.
MoCo v3 and CL-EDI checkpoints of the benchmark) show the same images.
"""

import torch

from cledi.apis import run_tool, tool_parser
from cledi.models.backbones.vit import split_tokens
from cledi.utils.errors import InputError
from cledi.visualization import (cls_attention_maps, detail_pool, last_block_attention, pool_attention_maps,
                                 map_grid_figure, patch_grid, preprocess, save_figure)
from cledi.visualization.cli import add_image_args, add_model_args, load_images, load_models, logger


def parse_args(argv=None):
    parser = tool_parser(__doc__, 'CLS attention maps of pre-trained ViTs')
    add_model_args(parser)
    add_image_args(parser)
    parser.add_argument('--heads', action='store_true', help='a row per attention head too')
    parser.add_argument('--aggregator', action='store_true',
                        help="a row for the 'attn' detail aggregator's attention (CL-EDI models that have one)")
    parser.add_argument('--cell-size', type=float, default=1.4, help='inches per image')
    return parser.parse_args(argv)


@torch.no_grad()
def attention_rows(label, model, inputs, heads=False, aggregator=False):
    """``(row label, maps (B, rows, cols))`` for one model."""
    grid = patch_grid(model.backbone, inputs)
    attention, tokens = last_block_attention(model.backbone, inputs)
    maps = cls_attention_maps(attention, grid, model.backbone.num_extra_tokens)  # (B, heads, rows, cols)
    rows = [(f'{label}\nCLS, mean', maps.mean(dim=1).numpy())]
    if heads:
        rows += [(f'{label}\nhead {h}', maps[:, h].numpy()) for h in range(maps.shape[1])]
    if aggregator:
        pool = detail_pool(model)
        if not hasattr(pool, 'attention_weights'):
            raise InputError(f"--aggregator: model '{label}' has no attention pooling in its detail part (it has "
                             f'{type(pool).__name__ if pool is not None else "no detail part"}); drop --aggregator or '
                             'pick a CL-EDI config with cledi.AttentionPool / cledi.CLSAttentionPool')
        cls_token, patch_tokens = split_tokens(tokens, model.backbone.num_extra_tokens)
        agg_maps = pool_attention_maps(pool, patch_tokens, grid, cls_token)
        rows.append((f'{label}\naggregator', agg_maps.mean(dim=1).numpy()))
    return rows


def main(argv=None):
    args = parse_args(argv)
    log = logger()
    models = load_models(args)
    batch, titles = load_images(args, models[0][1])
    rows, images = [], None
    for label, _, model in models:
        inputs, display = preprocess(model, batch)
        images = display if images is None else images
        rows += attention_rows(label, model, inputs, args.heads, args.aggregator)
    fig = map_grid_figure(images, rows, titles, cell_size=args.cell_size)
    path = save_figure(fig, args.out, args.dpi)
    log.info(f'attention maps of {len(models)} model(s) on {len(titles)} images written to {path}')
    return path


if __name__ == '__main__':
    run_tool(main)
