"""Weighted kNN top-1 of a pre-training checkpoint (CL-EDI or MoCo v3), as in DINO; optionally a linear probe.

    python tools/knn_eval.py CONFIG CHECKPOINT [--split val|test] [--feature cls [mean cls+mean]] [--ks 20 200]
                             [--temperature 0.07] [--linear] [--momentum] [--data-root DIR] [--cfg-options k=v ...]

``--linear`` also fits a logistic-regression probe on the same frozen bank features (L2 strength chosen by
5-fold cross-validation on the bank) and scores the queries with it: a linear probe in seconds, from the one
feature extraction.

CONFIG must define ``knn_bank_dataloader`` (labelled images the kNN is fitted on) and the query split:
``knn_query_dataloader`` (``--split val``, the default: the held-out val queries of the CIFAR-10 configs, for
choosing) or ``knn_test_dataloader`` (``--split test``: the test images, scored once per final configuration).
``--momentum`` evaluates the momentum encoder's backbone of the checkpoint instead of the online one. Several ``--feature`` types are scored from
one feature extraction. Every backbone weight of the checkpoint must load: a missing or mis-shaped backbone key
is an error, not a warning.
"""
import json
import os.path as osp

import torch
from mmengine.config import DictAction
from mmengine.logging import MMLogger
from mmengine.utils import track_iter_progress

from cledi.apis import checkpoint_parser, init_model, load_config, run_tool
from cledi.benchmarks.methods import METHODS
from cledi.evaluation import FEATURE_TYPES, build_eval_dataloader, evaluate_knn_features
from cledi.evaluation.similar import SIMILAR_CLASSES, class_groups
from cledi.utils import InputError, check_data_roots, load_checked
from cledi.utils.checkpoint import load_module_strict
from cledi.utils.errors import CheckpointMismatchError

SPLITS = {'val': 'knn_query_dataloader', 'test': 'knn_test_dataloader'}


def parse_args(argv=None):
    parser = checkpoint_parser('kNN evaluation of a pre-training checkpoint',
                               'python tools/knn_eval.py configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-'
                               '10pct.py work_dirs/run/epoch_12.pth --data-root ../shared/data/cifar10 --feature cls '
                               'mean --linear')
    parser.add_argument('--split', choices=sorted(SPLITS), default='val',
                        help='the queries: val (held-out, for choosing; default) or test')
    parser.add_argument('--feature', nargs='+', choices=FEATURE_TYPES, default=['cls'])
    parser.add_argument('--ks', type=int, nargs='+', default=[20, 200])
    parser.add_argument('--temperature', type=float, default=0.07)
    parser.add_argument('--linear', action='store_true',
                        help='also score a logistic-regression probe fitted on the bank features')
    parser.add_argument('--momentum', action='store_true',
                        help="the checkpoint's momentum encoder backbone instead of the online backbone")
    parser.add_argument('--data-root', help='point every dataloader of the config here')
    parser.add_argument('--out', help='also write the results as JSON to this file')
    parser.add_argument('--seed', type=int, default=0, help="seed of the weights that 'random' evaluates")
    parser.add_argument('--similar-classes', choices=sorted(SIMILAR_CLASSES),
                        help="also count the kNN errors between the data set's declared similar classes (class names "
                        'from meta/classes.txt under --data-root)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options, args.data_root)
    for key in ('knn_bank_dataloader', SPLITS[args.split]):
        if not cfg.get(key):
            raise InputError(f"config '{args.config}' has no {key} (needed for --split {args.split}); add labelled "
                             'bank / query dataloaders (see configs/_base_/datasets/cifar10_folder.py)')
    check_data_roots(cfg)
    logger = MMLogger.get_instance('cledi_knn', log_level='INFO')
    raw_tokens = set(args.feature) != {'cls'}
    if args.momentum and args.checkpoint != 'random':
        model = init_model(cfg, None, args.seed, raw_tokens)
        load_module_strict(model.backbone, args.checkpoint, momentum_prefix(args.checkpoint))
    else:
        model = init_model(cfg, args.checkpoint, args.seed, raw_tokens)
    groups = None
    if args.similar_classes:
        classes = osp.join(args.data_root or '', 'meta', 'classes.txt')
        if not osp.isfile(classes):
            raise InputError(f"--similar-classes reads the class names from '{classes}', which does not exist: pass "
                             'the data set folder as --data-root')
        with open(classes) as f:
            groups = class_groups(args.similar_classes, f.read().split())
    bank_loader = build_eval_dataloader(cfg.knn_bank_dataloader)
    query_loader = build_eval_dataloader(cfg[SPLITS[args.split]])
    with torch.no_grad():
        per_feature = evaluate_knn_features(model, track_iter_progress((bank_loader, len(bank_loader))),
                                            track_iter_progress((query_loader, len(query_loader))), args.feature,
                                            args.ks, args.temperature, linear=args.linear, groups=groups)
    for feature, results in per_feature.items():
        logger.info(f'kNN ({feature} features, T={args.temperature}) of {args.checkpoint}'
                    f'{" (momentum encoder)" if args.momentum else ""}: bank {len(bank_loader.dataset)} images, '
                    f'{args.split} queries {len(query_loader.dataset)} images: ' +
                    '  '.join(f'{k} {v:.2f}' for k, v in results.items()))
    if len(per_feature) == 1:
        results = dict(next(iter(per_feature.values())), feature=args.feature[0])
    else:
        results = dict(per_feature)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(results, checkpoint=args.checkpoint, split=args.split, momentum=args.momentum), f, indent=2)
    return results


def momentum_prefix(checkpoint: str) -> str:
    """Where a checkpoint keeps its momentum encoder's backbone: ``momentum_encoder.backbone.`` (CL-EDI) or
    ``momentum_encoder.module.0.`` (MMPretrain's MoCoV3)."""
    keys = load_checked(checkpoint).get('state_dict', {})
    for prefix in sorted({method.teacher_prefix for method in METHODS.values() if method.teacher_prefix}):
        if any(key.startswith(prefix) for key in keys):
            return prefix
    raise CheckpointMismatchError(f"--momentum: checkpoint '{checkpoint}' has no momentum encoder "
                                  "('momentum_encoder.backbone.*' or 'momentum_encoder.module.0.*')")


if __name__ == '__main__':
    run_tool(main)
