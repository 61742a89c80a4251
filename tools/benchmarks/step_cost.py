"""Training-step cost of CL-EDI (or a detail design) vs MoCo v3 with the same backbone, batch and views (CPU).

    python tools/benchmarks/step_cost.py [--rounds 3] [--steps 10] [--batch-size 128]
    python tools/benchmarks/step_cost.py --designs cledi shared-head cls-pool local-cls local-region --amp bf16

Alternates A B A B ...: every round runs each method in a fresh subprocess (so peak memory is per method) on
the same real CIFAR-10 batch, with warm-up steps first, then times ``--steps`` full training steps (data
preprocessor with its views, forward, every loss, backward, AdamW step, momentum update). Each design is compared
with the baseline that has the same views (the detail screening's first pair of it: MoCo v3 for two-view designs,
MoCo v3 with the same local views for local-crop designs). Prints images/s, the step-time and peak-memory ratios
(design / baseline, medians of the per-round paired ratios) and writes them to docs/benchmarks.md. Peak memory is
the process's peak resident set size over the training steps minus the resident size before the first step (model
and batch already loaded): activations, gradients and optimizer state of a step.
"""
import argparse
import contextlib
import json
import os.path as osp
import resource
import statistics
import subprocess
import sys
import time

from cledi.apis import tool_parser
from cledi.benchmarks.common import ROOT, default_data_root, load_config, machine
from cledi.benchmarks.methods import METHODS, label
from cledi.benchmarks.report import write_section

# every declared method with a ViT-mini config, and each design's declared baseline (the same views)
CONFIGS = {method: entry.configs['vit-mini-p4'] for method, entry in METHODS.items() if 'vit-mini-p4' in entry.configs}
BASELINE = {method: METHODS[method].baseline for method in CONFIGS if METHODS[method].baseline in CONFIGS}
# the step-time target of each comparison: the default's (docs/method.md), and the tied designs' (issue 22)
MEMORY_TARGET = 1.10  # where a method has a step-time target (declared with it), its memory has this one


def parse_args(argv=None):
    parser = tool_parser(__doc__)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--batch-size', type=int, default=128)
    parser.add_argument('--designs', nargs='+', default=['cledi'], choices=sorted(BASELINE),
                        help='the methods to compare, each with its baseline (default: the CL-EDI default)')
    parser.add_argument('--amp', choices=('fp32', 'bf16'), default='fp32',
                        help='fp32, or bf16 autocast as the campaigns train on a native-bf16 machine')
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
    options = () if args.worker in BASELINE.values() else args.cfg_options
    cfg = load_config(CONFIGS[args.worker], options, args.data_root)
    cfg.train_dataloader.update(batch_size=args.batch_size, num_workers=0, persistent_workers=False)
    init_default_scope('mmpretrain')
    batch = next(iter(Runner.build_dataloader(cfg.train_dataloader, seed=0)))
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4, weight_decay=0.1)

    def step():
        with torch.autocast('cpu', dtype=torch.bfloat16) if args.amp == 'bf16' else contextlib.nullcontext():
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
    if hasattr(getattr(model, 'momentum_encoder', None), 'schedule'):  # a cledi.MomentumTeacher (MAE has none)
        model.momentum_encoder.schedule(0, 10000)
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
    methods = list(dict.fromkeys(m for design in args.designs for m in (BASELINE[design], design)))
    results = {m: [] for m in methods}
    for round_index in range(args.rounds):
        for method in methods:
            cmd = [sys.executable, __file__, '--worker', method, '--steps', str(args.steps), '--warmup',
                   str(args.warmup), '--batch-size', str(args.batch_size), '--amp', args.amp, '--data-root',
                   args.data_root]
            if args.cfg_options:
                cmd += ['--cfg-options', *args.cfg_options]
            out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
            result = json.loads(out.strip().splitlines()[-1])
            results[method].append(result)
            print(f'[round {round_index + 1}/{args.rounds}] {label(method)}: '
                  f'{args.batch_size / result["step_s"]:.1f} img/s, peak +{result["peak_mib"]:.0f} MiB', flush=True)
    step = {m: statistics.median(r['step_s'] for r in rs) for m, rs in results.items()}
    peak = {m: statistics.median(r['peak_mib'] for r in rs) for m, rs in results.items()}
    extra = f' --designs {" ".join(args.designs)}' if args.designs != ['cledi'] else ''
    extra += f' --amp {args.amp}' if args.amp != 'fp32' else ''
    extra += f' --cfg-options {" ".join(args.cfg_options)}' if args.cfg_options else ''
    lines = [
        f'Command: `python tools/benchmarks/step_cost.py --rounds {args.rounds} --steps {args.steps} '
        f'--batch-size {args.batch_size}{extra}`',
        '',
        f'Machine: {machine()}, {results[methods[0]][0]["threads"]} torch threads, '
        f'{"bf16 autocast" if args.amp == "bf16" else "fp32"}. ViT-mini patch 4, 32x32, batch {args.batch_size}, '
        f'shared backbone; medians over {args.rounds} alternating rounds of {args.steps} steps.',
        '',
        '| method | compared with | step (s), median | images/s, per round | peak memory of the step (MiB), median '
        '| per image (MiB) | step time / baseline (median of paired ratios) | peak memory / baseline |',
        '|---|---|---|---|---|---|---|---|',
    ]
    for m in methods:
        rounds = ', '.join(f'{args.batch_size / r["step_s"]:.1f}' for r in results[m])
        cells = ['baseline', f'{step[m]:.3f}', rounds, f'{peak[m]:.0f}', f'{peak[m] / args.batch_size:.2f}', '', '']
        if m in args.designs:
            base = BASELINE[m]
            # ratios of the same round's (paired) runs cancel slow drifts of the machine's speed; report their median
            time_ratios = [d['step_s'] / b['step_s'] for b, d in zip(results[base], results[m])]
            time_ratio = statistics.median(time_ratios)
            memory_ratio = statistics.median(d['peak_mib'] / b['peak_mib'] for b, d in zip(results[base], results[m]))
            target = METHODS[m].step_target
            cells[0] = label(base)
            per_round = 'per round ' + ', '.join(f'{r:.3f}' for r in time_ratios)
            if target is None:  # an alternative method: its cost, no target
                cells[5], cells[6] = f'**{time_ratio:.3f}** ({per_round})', f'{memory_ratio:.3f}'
            else:
                cells[5] = (f'**{time_ratio:.3f}** (target <= {target:.2f}: '
                            f'{"met" if time_ratio <= target else "not met"}; {per_round})')
                cells[6] = (f'{memory_ratio:.3f} (target <= {MEMORY_TARGET:.2f}: '
                            f'{"met" if memory_ratio <= MEMORY_TARGET else "not met"})')
        lines.append(f'| {label(m)} | ' + ' | '.join(cells) + ' |')
    if args.designs == ['cledi']:
        section, title = 'step-cost', 'Training-step cost, CL-EDI vs MoCo v3 (CPU)'
    elif any(METHODS[m].step_target is None for m in args.designs):
        section, title = 'step-cost-baselines', 'Training-step cost of the alternative methods, each vs its baseline (CPU)'
    else:
        section, title = 'step-cost-designs', 'Training-step cost of the detail designs, each vs its baseline (CPU)'
    write_section(osp.join(ROOT, args.out), section, title, '\n'.join(lines))
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
