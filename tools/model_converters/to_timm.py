"""Export the ViT backbone of a cledi pre-training checkpoint to timm's ``VisionTransformer`` key layout.

    python tools/model_converters/to_timm.py CONFIG CHECKPOINT OUT [--allow-missing]

The result loads with ``timm.create_model('vit_small_patch16_224', num_classes=0).load_state_dict(...)`` for a
ViT-S/16 (use the timm model of the same width, depth, patch and image size). Every timm key of such a model
must be produced; a missing one is an error unless --allow-missing is given.
"""
import re

import torch

from cledi.apis import expected_backbone_keys, run_tool, tool_parser
from cledi.utils import load_checked
from cledi.utils.checkpoint import backbone_state_dict, compare_keys

# cledi / MMPretrain VisionTransformer name -> timm name
RULES = [
    (r'^patch_embed\.projection\.(weight|bias)$', r'patch_embed.proj.\1'),
    (r'^(cls_token|pos_embed)$', r'\1'),
    (r'^layers\.(\d+)\.ln1\.(weight|bias)$', r'blocks.\1.norm1.\2'),
    (r'^layers\.(\d+)\.ln2\.(weight|bias)$', r'blocks.\1.norm2.\2'),
    (r'^layers\.(\d+)\.attn\.qkv\.(weight|bias)$', r'blocks.\1.attn.qkv.\2'),
    (r'^layers\.(\d+)\.attn\.proj\.(weight|bias)$', r'blocks.\1.attn.proj.\2'),
    (r'^layers\.(\d+)\.ffn\.layers\.0\.0\.(weight|bias)$', r'blocks.\1.mlp.fc1.\2'),
    (r'^layers\.(\d+)\.ffn\.layers\.1\.(weight|bias)$', r'blocks.\1.mlp.fc2.\2'),
    (r'^ln1\.(weight|bias)$', r'norm.\1'),
]


def to_timm_name(name: str):
    for pattern, replacement in RULES:
        if re.match(pattern, name):
            return re.sub(pattern, replacement, name)
    return None


def main(argv=None):
    parser = tool_parser(__doc__)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('out')
    parser.add_argument('--allow-missing', action='store_true')
    args = parser.parse_args(argv)
    checkpoint = load_checked(args.checkpoint)
    weights = backbone_state_dict(checkpoint)
    missing, unexpected = compare_keys(expected_backbone_keys(args.config), set(weights))
    converted, unmapped = {}, []
    for name, value in weights.items():
        timm_name = to_timm_name(name)
        if timm_name is None:
            unmapped.append(name)
        else:
            converted[timm_name] = value
    print(f'{args.checkpoint}: {len(converted)} tensors mapped to timm; missing {missing or "none"}; '
          f'unexpected {unexpected or "none"}; no timm name for {unmapped or "none"}')
    if (missing or unmapped) and not args.allow_missing:
        raise SystemExit(f'error: cannot export a complete timm ViT: missing {missing}, unmapped {unmapped}')
    torch.save(converted, args.out)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    run_tool(main)
