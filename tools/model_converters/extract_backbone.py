"""Extract the ViT backbone of a CL-EDI / MoCo v3 pre-training checkpoint for MMDetection (and MMPretrain).

    python tools/model_converters/extract_backbone.py CONFIG CHECKPOINT OUT [--allow-missing]

CONFIG is the pre-training config the checkpoint came from; its backbone defines the expected keys. The output
holds only ``backbone.*`` weights (momentum encoder, projectors and predictors dropped) and loads with
``init_cfg=dict(type='Pretrained', checkpoint=OUT, prefix='backbone.')``. Missing and unexpected backbone keys
are reported; a missing key is an error unless --allow-missing is given.
"""
import argparse
import os.path as osp
import sys

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from cledi.utils.checkpoint import backbone_state_dict  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='the pre-training config of the checkpoint')
    parser.add_argument('checkpoint')
    parser.add_argument('out')
    parser.add_argument('--allow-missing', action='store_true', help='write the file even if keys are missing')
    return parser.parse_args(argv)


def expected_backbone_keys(config_path: str) -> set:
    cfg = Config.fromfile(config_path)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    from mmpretrain.registry import MODELS
    return set(MODELS.build(cfg.model.backbone).state_dict())


def compare(expected: set, found: set):
    return sorted(expected - found), sorted(found - expected)


def main(argv=None):
    args = parse_args(argv)
    checkpoint = torch.load(args.checkpoint, map_location='cpu', weights_only=True)
    weights = backbone_state_dict(checkpoint)
    missing, unexpected = compare(expected_backbone_keys(args.config), set(weights))
    print(f'{args.checkpoint}: {len(weights)} backbone tensors; missing {missing or "none"}; '
          f'unexpected {unexpected or "none"}')
    if missing and not args.allow_missing:
        raise SystemExit(f'error: backbone keys missing from {args.checkpoint}: {missing} '
                         '(wrong config or a truncated checkpoint? --allow-missing writes the file anyway)')
    meta = dict(source=osp.abspath(args.checkpoint), config=osp.abspath(args.config))
    torch.save(dict(state_dict={f'backbone.{k}': v for k, v in weights.items()}, meta=meta), args.out)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
