"""Training-step cost of CL-EDI vs MoCo v3 with the same backbone, batch and views (CPU).

    python tools/benchmarks/step_cost.py [--rounds 3] [--steps 10] [--batch-size 128]

Alternates A B A B ...: every round runs each method in a fresh subprocess (so peak memory is per method) on
the same real CIFAR-10 batch (two augmented views per image), with warm-up steps first, then times ``--steps``
full training steps (data preprocessor, forward, both losses, backward, AdamW step, momentum update). Prints
images/s, the step-time and peak-memory ratios (CL-EDI / MoCo v3, medians over rounds) and writes them to
docs/benchmarks.md. Peak memory is the process's peak resident set size over the training steps minus the
resident size before the first step (model and batch already loaded): activations, gradients and optimizer
state of a step.
"""
import argparse
import json
import os.path as osp
import resource
import statistics
import subprocess
import sys
import time

from cledi.apis import tool_parser
from cledi.benchmarks.common import METHODS, NAMES, ROOT, default_data_root, load_config, machine
from cledi.benchmarks.common import MODELS
from cledi.benchmarks.report import write_section

CONFIGS = {method: MODELS['vit-mini-p4'][method] for method in METHODS}


def parse_args(argv=None):
    parser = tool_parser(__doc__)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--batch-size', type=int, default=128)
    parser.add_argument('--data-root', default=default_data_root('cifar10'))
    parser.add_argument('--out', default='docs/benchmarks.md')
    parser.add_argument('--cfg-options', nargs='*', default=[], help='model overrides for CL-EDI, e.g. '
                        'model.detail.pool.type=cledi.GeMPool')
    parser.add_argument('--worker', choices=sorted(CONFIGS), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def rss_mib():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return float('nan')


def worker(args):
    """One method in this process: prints a JSON line with seconds per step and peak memory."""
    import torch
    from mmengine.logging import MessageHub
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner
    from mmpretrain.registry import MODELS

    torch.manual_seed(0)
    options = args.cfg_options if args.worker == 'cledi' else ()
    cfg = load_config(CONFIGS[args.worker], options, args.data_root)
    cfg.train_dataloader.update(batch_size=args.batch_size, num_workers=0, persistent_workers=False)
    init_default_scope('mmpretrain')
    batch = next(iter(Runner.build_dataloader(cfg.train_dataloader, seed=0)))
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4, weight_decay=0.1)

    def step():
        data = model.data_preprocessor(batch, True)
        losses = model(**data, mode='loss')
        optimizer.zero_grad()
        sum(losses.values()).backward()
        optimizer.step()

    # MMPretrain's MoCoV3 reads the schedule position from the message hub (CosineEMA); give both models the
    # same fixed point of a long run
    hub = MessageHub.get_current_instance()
    hub.update_info('iter', 0)
    hub.update_info('max_iters', 10000)
    if hasattr(model, 'set_momentum'):
        model.set_momentum(0, 10000)
    base_rss = rss_mib()  # model, optimizer (no state yet) and the batch are in memory
    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = (time.perf_counter() - start) / args.steps
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(dict(method=args.worker, step_s=seconds, peak_mib=peak_rss - base_rss,
                          threads=torch.get_num_threads())))


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        return worker(args)
    results = {m: [] for m in ('mocov3', 'cledi')}
    for round_index in range(args.rounds):
        for method in ('mocov3', 'cledi'):
            cmd = [sys.executable, __file__, '--worker', method, '--steps', str(args.steps), '--warmup',
                   str(args.warmup), '--batch-size', str(args.batch_size), '--data-root', args.data_root]
            if args.cfg_options:
                cmd += ['--cfg-options', *args.cfg_options]
            out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
            result = json.loads(out.strip().splitlines()[-1])
            results[method].append(result)
            print(f'[round {round_index + 1}] {NAMES[method]}: {args.batch_size / result["step_s"]:.1f} img/s, '
                  f'peak +{result["peak_mib"]:.0f} MiB', flush=True)
    step = {m: statistics.median(r['step_s'] for r in rs) for m, rs in results.items()}
    peak = {m: statistics.median(r['peak_mib'] for r in rs) for m, rs in results.items()}
    # ratios of adjacent (paired) runs cancel slow drifts of the machine's speed; report their median
    time_ratio = statistics.median(c['step_s'] / m['step_s'] for m, c in zip(results['mocov3'], results['cledi']))
    memory_ratio = statistics.median(
        c['peak_mib'] / m['peak_mib'] for m, c in zip(results['mocov3'], results['cledi']))
    extra = f' --cfg-options {" ".join(args.cfg_options)}' if args.cfg_options else ''
    lines = [
        f'Command: `python tools/benchmarks/step_cost.py --rounds {args.rounds} --steps {args.steps} '
        f'--batch-size {args.batch_size}{extra}`',
        '',
        f'Machine: {machine()}, {results["cledi"][0]["threads"]} torch threads, fp32. ViT-mini patch 4, 32x32, batch '
        f'{args.batch_size}, 2 views, shared backbone; medians over {args.rounds} alternating rounds of '
        f'{args.steps} steps.',
        '',
        '| method | step (s), median | images/s, per round | peak memory of the step (MiB), median |',
        '|---|---|---|---|',
    ]
    for m in ('mocov3', 'cledi'):
        rounds = ', '.join(f'{args.batch_size / r["step_s"]:.1f}' for r in results[m])
        lines.append(f'| {NAMES[m]} | {step[m]:.3f} | {rounds} | {peak[m]:.0f} |')
    lines += ['', f'CL-EDI / MoCo v3 (median of the per-round paired ratios): step time **{time_ratio:.3f}** (target <= 1.05, '
              f'{"met" if time_ratio <= 1.05 else "not met"}), peak memory **{memory_ratio:.3f}** '
              f'(target <= 1.10, {"met" if memory_ratio <= 1.10 else "not met"}).', '',
              'Per-round paired step-time ratios: ' + ', '.join(
                  f'{c["step_s"] / m["step_s"]:.3f}' for m, c in zip(results['mocov3'], results['cledi'])) + '.']
    write_section(osp.join(ROOT, args.out), 'step-cost', 'Training-step cost, CL-EDI vs MoCo v3 (CPU)',
                  '\n'.join(lines))
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
