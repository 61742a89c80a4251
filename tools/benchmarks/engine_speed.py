"""Pre-training throughput of the engine's settings, as full training iterations, with FLOP accounting.

    python tools/benchmarks/engine_speed.py [--rounds 3] [--iters 6] [--warmup 3] [--variants before now ...]
    python tools/benchmarks/engine_speed.py --config configs/recipes/...py   # a recipe's model, views and batch

Each variant is the CL-EDI config of ``--model`` (ViT-mini patch 4, CIFAR-10 10 %, its batch) or ``--config``,
with one setting of the engine (A = ``before``, the code before this round's speed work):

- ``before``: the fast path (images decoded once, views made batched on the device), bf16 autocast, torch's fused
  attention kernel (``F.scaled_dot_product_attention``), glibc's default allocator settings, AdamW's for-loop;
- ``attention``: ``before`` with ``cledi.models.utils.attention`` (two matrix products in bf16 on a CPU);
- ``memory``: ``before`` with ``cledi.utils.memory.keep_freed_memory`` (freed activations stay in the heap);
- ``now``: both (what ``tools/train.py`` does);
- ``now-fused``: ``now`` with AdamW's fused kernel;
- ``fp32-before`` / ``fp32-now``: the same in float32 (where the attention kernel does not change).

Every variant runs in a fresh process per round (so allocator settings cannot leak between variants), in turn,
round after round: ``--warmup`` untimed iterations, then ``--iters`` timed ones, loader included (2 workers,
Runner-built). One training step's FLOPs per image are counted once with ``torch.utils.flop_counter`` (matrix
products of forward and backward: both views, momentum keys, projector / predictor MLPs); the machine's practical
peak is the best of a 2048^3 bf16 and fp32 matrix product on the same threads. Reports images/s (median over
rounds), GFLOP/s and the share of the peak of the variant's precision, and the medians of per-round paired ratios
against ``before`` (or the first variant listed when ``before`` is not among them). Writes the table to
docs/benchmarks.md (section ``engine-speed``).
"""
import argparse
import json
import os.path as osp
import statistics
import subprocess
import sys
import time

from cledi.benchmarks import ROOT, default_data_root, load_config, machine, write_section
from cledi.benchmarks.methods import config as method_config

VARIANTS = {  # name: (precision, attention kernel, allocator, AdamW, text)
    'before': ('bf16', 'sdpa', 'default', 'foreach', 'bf16, fused SDPA kernel, default allocator (A: before)'),
    'attention': ('bf16', 'auto', 'default', 'foreach', 'bf16, cledi attention'),
    'memory': ('bf16', 'sdpa', 'keep', 'foreach', 'bf16, freed memory kept'),
    'now': ('bf16', 'auto', 'keep', 'foreach', 'bf16, cledi attention + freed memory kept (B: now)'),
    'now-fused': ('bf16', 'auto', 'keep', 'fused', 'bf16, now + fused AdamW'),
    'fp32-before': ('fp32', 'sdpa', 'default', 'foreach', 'fp32, default allocator'),
    'fp32-now': ('fp32', 'auto', 'keep', 'foreach', 'fp32, freed memory kept'),
}
DEFAULT_VARIANTS = ['before', 'attention', 'memory', 'now', 'now-fused', 'fp32-before', 'fp32-now']
TARGET = 1.5  # now / before, images/s (or >= 50 % of the bf16 matmul peak)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog='example: python tools/benchmarks/engine_speed.py --rounds 3 --iters 6')
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--iters', type=int, default=6, help='timed iterations per variant and round')
    parser.add_argument('--warmup', type=int, default=3, help='untimed iterations per variant and round')
    parser.add_argument('--variants', nargs='+', choices=sorted(VARIANTS), default=DEFAULT_VARIANTS)
    parser.add_argument('--model', choices=('vit-mini-p4', 'vit-s-p4'), default='vit-mini-p4')
    parser.add_argument('--config', help="a pre-training config to measure instead of --model's CL-EDI config")
    parser.add_argument('--data-root', default=default_data_root('cifar10'))
    parser.add_argument('--out', default='docs/benchmarks.md')
    parser.add_argument('--section', default='engine-speed')
    parser.add_argument('--title', default='Engine speed: training throughput and FLOPs (CPU)')
    parser.add_argument('--no-write', action='store_true', help='print the table only')
    parser.add_argument('--child', choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def config_path(args) -> str:
    return args.config or method_config('cledi', args.model)


def build(args, variant, precision=None):
    """The variant's model (engine settings applied), optimizer wrapper and config."""
    import torch
    import torch.nn.functional as F
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import init_default_scope
    from mmpretrain.models.utils.attention import MultiheadAttention
    from mmpretrain.registry import MODELS as REGISTRY
    precision_, attention, _, adamw, _ = VARIANTS[variant]
    cfg = load_config(config_path(args), data_root=args.data_root)
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    model = REGISTRY.build(cfg.model)
    model.init_weights()
    model.train()
    if attention == 'sdpa':
        for module in model.modules():
            if isinstance(module, MultiheadAttention):
                module.scaled_dot_product_attention = F.scaled_dot_product_attention
    optim_cfg = dict(cfg.optim_wrapper)
    if adamw == 'fused':
        optim_cfg['optimizer'] = dict(optim_cfg['optimizer'], fused=True)
    if (precision or precision_) == 'bf16':
        optim_cfg.update(type='cledi.AutocastOptimWrapper', dtype='bfloat16')
    return model, build_optim_wrapper(model, optim_cfg), cfg


def child(args):
    """One variant in this process: prints a JSON line with the timed iterations' figures."""
    import torch
    from mmengine.logging import MessageHub
    from mmengine.runner import Runner

    from cledi.utils.memory import keep_freed_memory
    if VARIANTS[args.child][2] == 'keep':
        keep_freed_memory()
    model, optim_wrapper, cfg = build(args, args.child)
    hub = MessageHub.get_current_instance()  # MMPretrain's MoCoV3 reads its EMA schedule position from the hub
    hub.update_info('iter', 0)
    hub.update_info('max_iters', 10000)
    if hasattr(model.momentum_encoder, 'schedule'):  # a cledi.MomentumTeacher
        model.momentum_encoder.schedule(0, 10000)
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=0)

    def batches():
        while True:
            yield from loader

    stream, wait = batches(), 0.0
    for _ in range(args.warmup):
        model.train_step(next(stream), optim_wrapper)
    start = time.perf_counter()
    for _ in range(args.iters):
        before = time.perf_counter()
        batch = next(stream)
        wait += time.perf_counter() - before
        model.train_step(batch, optim_wrapper)
    seconds = (time.perf_counter() - start) / args.iters
    print(json.dumps(dict(step_s=seconds, wait_s=wait / args.iters, batch=cfg.train_dataloader.batch_size,
                          threads=torch.get_num_threads())))


def flops_per_image(args) -> float:
    """Matrix-product FLOPs of one training step per image (forward and backward, every view and key)."""
    from mmengine.logging import MessageHub
    from mmengine.runner import Runner
    from torch.utils.flop_counter import FlopCounterMode
    model, optim_wrapper, cfg = build(args, args.variants[0])  # the same products in every variant
    MessageHub.get_current_instance().update_info('iter', 0)
    MessageHub.get_current_instance().update_info('max_iters', 10000)
    cfg.train_dataloader.update(num_workers=0, persistent_workers=False)
    batch = next(iter(Runner.build_dataloader(cfg.train_dataloader, seed=0)))
    with FlopCounterMode(display=False) as counter:
        model.train_step(batch, optim_wrapper)
    return counter.get_total_flops() / cfg.train_dataloader.batch_size


def matmul_peak(dtype_name: str, size: int = 2048, repeats: int = 5) -> float:
    """GFLOP/s of the best of ``repeats`` (size x size) @ (size x size) products in this process."""
    import torch
    dtype = getattr(torch, dtype_name)
    a, b = torch.randn(size, size).to(dtype), torch.randn(size, size).to(dtype)
    a @ b
    best = float('inf')
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def torch_version() -> str:
    import torch
    return torch.__version__


def run_child(args, variant) -> dict:
    cmd = [sys.executable, osp.abspath(__file__), '--child', variant, '--iters', str(args.iters), '--warmup',
           str(args.warmup), '--model', args.model, '--data-root', args.data_root]
    if args.config:
        cmd += ['--config', args.config]
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def command_line(args) -> str:
    parts = [f'python tools/benchmarks/engine_speed.py --rounds {args.rounds} --iters {args.iters} --warmup '
             f'{args.warmup}']
    if args.variants != DEFAULT_VARIANTS:
        parts.append(f'--variants {" ".join(args.variants)}')
    if args.config:
        parts.append(f'--config {args.config}')
    elif args.model != 'vit-mini-p4':
        parts.append(f'--model {args.model}')
    if args.section != 'engine-speed':
        parts.append(f"--section {args.section} --title '{args.title}'")
    return ' '.join(parts)


def main(argv=None):
    args = parse_args(argv)
    if args.child:
        return child(args)
    peaks = {'bf16': matmul_peak('bfloat16'), 'fp32': matmul_peak('float32')}
    flops = flops_per_image(args)
    results = {variant: [] for variant in args.variants}
    for round_index in range(args.rounds):
        for variant in args.variants:
            result = run_child(args, variant)
            results[variant].append(result)
            print(f'[round {round_index + 1}] {variant}: {result["batch"] / result["step_s"]:.1f} img/s', flush=True)
    rate = {v: [r['batch'] / r['step_s'] for r in rs] for v, rs in results.items()}
    batch = results[args.variants[0]][0]['batch']
    lines = [
        f'Command: `{command_line(args)}`',
        '',
        f'Machine: {machine()}, {results[args.variants[0]][0]["threads"]} torch threads, torch {torch_version()}. '
        f'`{config_path(args)}`, batch {batch}, 2 loader workers; full training iterations (loader, views, '
        f'forward, backward, AdamW, EMA), each variant in a fresh process, {args.rounds} alternating rounds of '
        f'{args.warmup} untimed + {args.iters} timed iterations. One training step: **{flops / 1e9:.2f} GFLOP per '
        f'image** (`torch.utils.flop_counter`, matrix products of forward and backward). Practical peak of this '
        f'machine, best 2048^3 matrix product on the same threads: bf16 {peaks["bf16"]:.3g} GFLOP/s, fp32 '
        f'{peaks["fp32"]:.3g} GFLOP/s.',
        '',
        '| variant | images/s, median | images/s per round | GFLOP/s | of the peak (its precision) | '
        'loader wait (ms / it) |',
        '|---|---|---|---|---|---|',
    ]
    for variant in args.variants:
        median = statistics.median(rate[variant])
        achieved = median * flops / 1e9
        peak = peaks[VARIANTS[variant][0]]
        wait = statistics.median(r['wait_s'] for r in results[variant]) * 1000
        lines.append(f'| `{variant}`: {VARIANTS[variant][4]} | {median:.1f} | '
                     f'{", ".join(f"{r:.1f}" for r in rate[variant])} | {achieved:.0f} | {100 * achieved / peak:.0f} % '
                     f'| {wait:.0f} |')
    base = 'before' if 'before' in results else args.variants[0]  # A: `before`, else the first variant listed
    if len(args.variants) > 1:
        lines += ['', f'Images/s against `{base}` (A), medians of the per-round paired ratios:', '']
        for variant in args.variants:
            if variant == base:
                continue
            paired = [b / a for a, b in zip(rate[base], rate[variant])]
            ratio = statistics.median(paired)
            target = (f' (target >= {TARGET}: {"met" if ratio >= TARGET else "not met"})'
                      if (base, variant) == ('before', 'now') else '')
            lines.append(f'- `{variant}` / `{base}`: **{ratio:.3f}**{target}, per round '
                         + ', '.join(f'{r:.3f}' for r in paired))
    text = '\n'.join(lines)
    print(text, flush=True)
    if not args.no_write:
        write_section(osp.join(ROOT, args.out), args.section, args.title, text)
    return rate


if __name__ == '__main__':
    main()
