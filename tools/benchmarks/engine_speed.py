"""Pre-training throughput of the data paths and precisions: full training iterations (loader + views + step).

    python tools/benchmarks/engine_speed.py [--rounds 3] [--iters 8] [--warmup 4] [--variants a b c d]

Variants, ViT-mini patch 4, CIFAR-10 10 % (5,000 images), batch 128 (``--model vit-s-p4``: ViT-S, batch 256):

- (a) ``mocov3-pil``: MMPretrain's MoCoV3 on the PIL path (decode + both views image by image in 2 loader
  workers), float32: MMPretrain's own recipe as it ships, the anchor;
- (b) ``cledi-pil``: CL-EDI on the same PIL path, float32 (CL-EDI before the fast engine);
- (c) ``cledi-fast``: CL-EDI on the fast path (images decoded once into ``cledi.DecodedImageCache``, both views
  made batched by ``cledi.MultiViewPreprocessor``), float32;
- (d) ``cledi-fast-bf16``: (c) with bf16 autocast (``cledi.AutocastOptimWrapper``);
- (e) ``mocov3-fast``: MoCoV3 on the fast path, float32 (the baseline's like-for-like path).

All variants are built in this process from the configs (model, AdamW wrapper, Runner-built dataloader with its
persistent workers) and run round-robin: every round gives each variant ``--warmup`` untimed iterations (the
batches its idle workers prefetched are used up there), then ``--iters`` timed ones. Reports images/s (median
over rounds), the ratios (d)/(b) and (c)/(b) as medians of per-round paired ratios, and where an iteration's
time goes (waiting for the loader, making the views, the model step). Writes the table to docs/benchmarks.md.
"""
import argparse
import os.path as osp
import statistics
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
from tools.benchmarks.common import ROOT, default_data_root, load_config, machine  # noqa: E402
from tools.benchmarks.lowdata_knn import MODELS  # noqa: E402  (the CIFAR 10 % twin configs, one table)
from tools.benchmarks.report import write_section  # noqa: E402

PIL_DATA = 'configs/_base_/datasets/cifar10_folder_pil.py'
# key: (method, data path, precision, text)
VARIANTS = {
    'a': ('mocov3', 'pil', 'fp32', 'MoCo v3 (MMPretrain MoCoV3), PIL path, fp32'),
    'b': ('cledi', 'pil', 'fp32', 'CL-EDI, PIL path, fp32'),
    'c': ('cledi', 'fast', 'fp32', 'CL-EDI, fast path, fp32'),
    'd': ('cledi', 'fast', 'bf16', 'CL-EDI, fast path, bf16 autocast'),
    'e': ('mocov3', 'fast', 'fp32', 'MoCo v3, fast path, fp32'),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--iters', type=int, default=8, help='timed iterations per variant and round')
    parser.add_argument('--warmup', type=int, default=4, help='untimed iterations per variant and round')
    parser.add_argument('--variants', nargs='+', choices=sorted(VARIANTS), default=['a', 'b', 'c', 'd'])
    parser.add_argument('--model', choices=sorted(MODELS), default='vit-mini-p4')
    parser.add_argument('--data-root', default=default_data_root('cifar10'))
    parser.add_argument('--out', default='docs/benchmarks.md')
    parser.add_argument('--no-write', action='store_true', help='print the table only')
    return parser.parse_args(argv)


def variant_config(args, key):
    """The config of one variant: the method's CIFAR 10 % config, on the PIL path where the variant says so."""
    from mmengine.config import Config
    method, path, _, _ = VARIANTS[key]
    cfg = load_config(MODELS[args.model][method])
    if path == 'pil':
        pil = Config.fromfile(osp.join(ROOT, PIL_DATA))
        ann_file = cfg.train_dataloader.dataset.dataset.ann_file
        cfg.train_dataloader = dict(pil.train_dataloader, batch_size=cfg.train_dataloader.batch_size,
                                    num_workers=cfg.train_dataloader.num_workers)
        cfg.train_dataloader.dataset.ann_file = ann_file
        cfg.model.data_preprocessor = pil.data_preprocessor
    from cledi.utils import set_data_root
    set_data_root(cfg, args.data_root)
    return cfg


class Variant:
    """One variant's model, optimizer wrapper and endless batch iterator."""

    def __init__(self, args, key):
        import torch
        from mmengine.logging import MessageHub
        from mmengine.optim import build_optim_wrapper
        from mmengine.registry import init_default_scope
        from mmengine.runner import Runner
        from mmpretrain.registry import MODELS
        self.key, (self.method, self.path, self.precision, self.text) = key, VARIANTS[key]
        cfg = variant_config(args, key)
        init_default_scope('mmpretrain')
        torch.manual_seed(0)
        self.model = MODELS.build(cfg.model)
        self.model.init_weights()
        self.model.train()
        optim_cfg = dict(cfg.optim_wrapper)
        if self.precision == 'bf16':
            optim_cfg.update(type='cledi.AutocastOptimWrapper', dtype='bfloat16')
        self.optim_wrapper = build_optim_wrapper(self.model, optim_cfg)
        self.loader = Runner.build_dataloader(cfg.train_dataloader, seed=0)
        self.batch_size = cfg.train_dataloader.batch_size
        self.batches = self._forever()
        hub = MessageHub.get_current_instance()  # MoCoV3 reads its EMA schedule position from the hub
        hub.update_info('iter', 0)
        hub.update_info('max_iters', 10000)
        if hasattr(self.model, 'set_momentum'):
            self.model.set_momentum(0, 10000)
        self.rounds = []  # per round: dict(seconds per iteration, data wait, views)

    def _forever(self):
        while True:
            yield from self.loader

    def run(self, iters, timed):
        wait = views = 0.0
        start = time.perf_counter()
        for _ in range(iters):
            before = time.perf_counter()
            batch = next(self.batches)
            wait += time.perf_counter() - before
            if self.path == 'fast':  # the views alone, on a copy of the batch (not part of the timed step)
                views_start = time.perf_counter()
                self.model.data_preprocessor(batch, True)
                views += time.perf_counter() - views_start
                start += time.perf_counter() - views_start
            self.model.train_step(batch, self.optim_wrapper)
        if timed:
            self.rounds.append(dict(step_s=(time.perf_counter() - start) / iters, wait_s=wait / iters,
                                    views_s=views / iters))

    def images_per_s(self, index):
        return self.batch_size / self.rounds[index]['step_s']


def main(argv=None):
    args = parse_args(argv)
    import torch
    variants = [Variant(args, key) for key in args.variants]
    for round_index in range(args.rounds):
        for variant in variants:
            variant.run(args.warmup, timed=False)
            variant.run(args.iters, timed=True)
            last = variant.rounds[-1]
            print(f'[round {round_index + 1}] ({variant.key}) {variant.text}: {variant.images_per_s(-1):.1f} img/s '
                  f'(loader wait {1000 * last["wait_s"]:.0f} ms, views {1000 * last["views_s"]:.0f} ms per '
                  'iteration)', flush=True)
    by_key = {variant.key: variant for variant in variants}
    lines = [
        f'Command: `python tools/benchmarks/engine_speed.py --rounds {args.rounds} --iters {args.iters} --warmup '
        f'{args.warmup} --variants {" ".join(args.variants)}'
        + (f' --model {args.model}`' if args.model != 'vit-mini-p4' else '`'),
        '',
        f'Machine: {machine()}, {torch.get_num_threads()} torch threads, torch {torch.__version__}. '
        f'{args.model}, CIFAR-10 10 %, batch {variants[0].batch_size}, 2 loader workers; full training '
        f'iterations (loader, views, forward, backward, AdamW, EMA); {args.rounds} alternating rounds of '
        f'{args.warmup} untimed + {args.iters} timed iterations per variant.',
        '',
        '| variant | images/s, median | images/s per round | loader wait (ms / it) | views on the device '
        '(ms / it) |',
        '|---|---|---|---|---|',
    ]
    for variant in variants:
        rates = [variant.images_per_s(i) for i in range(args.rounds)]
        wait = statistics.median(r['wait_s'] for r in variant.rounds)
        views = statistics.median(r['views_s'] for r in variant.rounds)
        views_text = f'{1000 * views:.0f}' if variant.path == 'fast' else 'in the workers'
        lines.append(f'| ({variant.key}) {variant.text} | {statistics.median(rates):.1f} | '
                     f'{", ".join(f"{r:.1f}" for r in rates)} | {1000 * wait:.0f} | {views_text} |')
    ratios = []
    for num, den, target in (('d', 'b', 1.35), ('c', 'b', None), ('b', 'a', None), ('d', 'c', None),
                             ('e', 'a', None)):
        if num in by_key and den in by_key:
            paired = [by_key[num].images_per_s(i) / by_key[den].images_per_s(i) for i in range(args.rounds)]
            ratio = statistics.median(paired)
            verdict = f' (target >= {target}: {"met" if ratio >= target else "NOT met"})' if target else ''
            ratios.append(f'({num}) / ({den}): **{ratio:.3f}**{verdict}, per round '
                          + ', '.join(f'{r:.3f}' for r in paired))
    lines += ['', 'Images/s ratios, medians of the per-round paired ratios:', '']
    lines += [f'- {line}' for line in ratios]
    text = '\n'.join(lines)
    print(text)
    if not args.no_write:
        key = 'engine-speed' if args.model == 'vit-mini-p4' else f'engine-speed-{args.model}'
        write_section(osp.join(ROOT, args.out), key, f'Fast engine: pre-training throughput ({args.model})', text)
    return by_key


if __name__ == '__main__':
    main()
