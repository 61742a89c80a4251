"""Extract the ViT backbone of a CL-EDI / MoCo v3 pre-training checkpoint for MMDetection (and MMPretrain).

    python tools/model_converters/extract_backbone.py CONFIG CHECKPOINT OUT [--allow-missing]

CONFIG is the pre-training config the checkpoint came from; its backbone defines the expected keys. The output
holds only ``backbone.*`` weights (momentum encoder, projectors and predictors dropped) and loads with
``init_cfg=dict(type='Pretrained', checkpoint=OUT, prefix='backbone.')``. Missing and unexpected backbone keys
are reported; a missing key is an error unless --allow-missing is given.
"""
import os.path as osp

import torch

from cledi.apis import expected_backbone_keys, run_tool, tool_parser
from cledi.utils import load_checked
from cledi.utils.checkpoint import backbone_state_dict, compare_keys
from cledi.utils.errors import CheckpointMismatchError


def parse_args(argv=None):
    parser = tool_parser(__doc__)
    parser.add_argument('config', help='the pre-training config of the checkpoint')
    parser.add_argument('checkpoint')
    parser.add_argument('out')
    parser.add_argument('--allow-missing', action='store_true', help='write the file even if keys are missing')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    weights = backbone_state_dict(load_checked(args.checkpoint))
    missing, unexpected = compare_keys(expected_backbone_keys(args.config), set(weights))
    print(f'{args.checkpoint}: {len(weights)} backbone tensors; missing {missing or "none"}; '
          f'unexpected {unexpected or "none"}')
    if missing and not args.allow_missing:
        raise CheckpointMismatchError(f'backbone keys missing from {args.checkpoint}: {missing} (wrong config or a '
                                      'truncated checkpoint? --allow-missing writes the file anyway)')
    meta = dict(source=osp.abspath(args.checkpoint), config=osp.abspath(args.config))
    torch.save(dict(state_dict={f'backbone.{k}': v for k, v in weights.items()}, meta=meta), args.out)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    run_tool(main)
