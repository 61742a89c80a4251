"""Weighted kNN top-1 of a pre-training checkpoint (CL-EDI or MoCo v3), as in DINO; optionally a linear probe.

    python tools/knn_eval.py CONFIG CHECKPOINT [--feature cls [mean cls+mean]] [--ks 20 200]
                             [--temperature 0.07] [--linear] [--data-root DIR] [--cfg-options k=v ...]

``--linear`` also fits a logistic-regression probe on the same frozen bank features (L2 strength chosen by
5-fold cross-validation on the bank) and scores the queries with it: a linear probe in seconds, from the one
feature extraction.

CONFIG must define ``knn_bank_dataloader`` (labelled images the kNN is fitted on) and ``knn_query_dataloader``
(labelled images that are classified), as the CIFAR-10 configs do. Several ``--feature`` types are scored from
one feature extraction. Every backbone weight of the checkpoint must load: a missing or mis-shaped backbone key
is an error, not a warning.
"""
import argparse
import json
import os.path as osp
import sys

import torch
from mmengine.config import Config, DictAction
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from cledi.evaluation import FEATURE_TYPES, build_eval_dataloader, evaluate_knn_features  # noqa: E402
from cledi.utils import check_data_roots, merge_data_preprocessor, set_data_root  # noqa: E402
from cledi.utils.checkpoint import load_backbone_strict  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='kNN evaluation of a pre-training checkpoint')
    parser.add_argument('config')
    parser.add_argument('checkpoint', help="a .pth file, or 'random' for the randomly initialised network")
    parser.add_argument('--feature', nargs='+', choices=FEATURE_TYPES, default=['cls'])
    parser.add_argument('--ks', type=int, nargs='+', default=[20, 200])
    parser.add_argument('--temperature', type=float, default=0.07)
    parser.add_argument('--linear', action='store_true',
                        help='also score a logistic-regression probe fitted on the bank features')
    parser.add_argument('--data-root', help='point every dataloader of the config here')
    parser.add_argument('--out', help='also write the results as JSON to this file')
    parser.add_argument('--seed', type=int, default=0, help="seed of the weights that 'random' evaluates")
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.data_root:
        set_data_root(cfg, args.data_root)
    for key in ('knn_bank_dataloader', 'knn_query_dataloader'):
        if key not in cfg:
            raise KeyError(f"config '{args.config}' has no {key}; add labelled bank / query dataloaders "
                           '(see configs/_base_/datasets/cifar10_folder.py)')
    check_data_roots(cfg)
    merge_data_preprocessor(cfg)
    logger = MMLogger.get_instance('cledi_knn', log_level='INFO')
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    from mmpretrain.registry import MODELS
    backbone = cfg.model.backbone
    if set(args.feature) != {'cls'} and backbone.get('out_type', 'raw') != 'raw':
        # e.g. MoCo v3 configs build the ViT with out_type='cls_token'; the weights are the same
        logger.info(f"building the backbone with out_type='raw' (was '{backbone.out_type}') for patch features")
        backbone.out_type = 'raw'
    torch.manual_seed(args.seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    if args.checkpoint != 'random':
        load_backbone_strict(model.backbone, args.checkpoint)
    bank_loader = build_eval_dataloader(cfg.knn_bank_dataloader)
    query_loader = build_eval_dataloader(cfg.knn_query_dataloader)
    per_feature = evaluate_knn_features(model, bank_loader, query_loader, args.feature, args.ks, args.temperature,
                                        linear=args.linear)
    for feature, results in per_feature.items():
        logger.info(f'kNN ({feature} features, T={args.temperature}) of {args.checkpoint}: bank '
                    f'{len(bank_loader.dataset)} images, queries {len(query_loader.dataset)} images: ' +
                    '  '.join(f'{k} {v:.2f}' for k, v in results.items()))
    if len(per_feature) == 1:
        results = dict(next(iter(per_feature.values())), feature=args.feature[0])
    else:
        results = dict(per_feature)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(results, checkpoint=args.checkpoint), f, indent=2)
    return results


if __name__ == '__main__':
    torch.set_grad_enabled(False)
    main()
