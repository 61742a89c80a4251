"""The recipe search of the long low-data regime (docs/benchmarks.md, part 0): proxy points on the val queries.

    python tools/benchmarks/recipe_search.py [--points p0-base p3-mc4 ...] [--state DIR] [--report-only]

Every point is MoCo v3 (seed 0) with one change from the point it starts from, read by its final val CLS kNN
(k=20) with its images seen and minutes beside it. Runs live in ``--state`` (default ``~/.cache/cledi/recipe``),
one folder per point, and continue from their last checkpoint when started again. A finished point's figures are
kept in ``docs/results/recipe-search/<point>.json`` (commit them: a machine's run folders may not outlive a
session); a point recorded there is not run again, and the table (docs/benchmarks.md, section
``recipe-search``) reads the records.
"""
import argparse
import glob
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time
from typing import Optional

from cledi.apis import run_tool
from cledi.benchmarks import ROOT, default_data_root, logged_scalars, write_section
from cledi.benchmarks.campaign import knn_curve, machine_key, source_commit
from cledi.benchmarks.common import finetune_top1

TWO_VIEW = 'configs/mocov3/mocov3_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py'
MULTI_CROP = 'configs/mocov3/mocov3-views_vit-mini-p4_1xb128-mc4x16-coslr-200e_cifar10-10pct.py'
FINETUNE_EPOCHS = 30  # the fine-tune protocol (cledi.benchmarks.common.finetune_top1) on val
MONITOR = ['default_hooks.knn.interval=10', 'default_hooks.checkpoint.interval=5']
# name: (starts from, what changes, config, epochs, --cfg-options)
POINTS = {
    'p0-base': (None, "today's two-view recipe (batch 128, lr 6e-4 per 256)", TWO_VIEW, 30,
                ['optim_wrapper.optimizer.lr=6e-4']),
    'p1-bs64': ('p0-base', 'batch 64', TWO_VIEW, 30, ['optim_wrapper.optimizer.lr=6e-4',
                                                       'train_dataloader.batch_size=64']),
    'p2-lr2x': ('p0-base', 'lr 1.2e-3 per 256', TWO_VIEW, 30, ['optim_wrapper.optimizer.lr=1.2e-3']),
    'p3-mc4': ('p0-base', 'multi-crop: + 4 local views of 16 px (same minutes: 18 epochs)', MULTI_CROP, 18,
               ['optim_wrapper.optimizer.lr=6e-4']),
    # p4 (6 local views) was dropped once p3 had lost 3.9 points: it only adds local views of the same kind
    'p5-t0.1': ('p0-base', 'temperature 0.1 (MoCo v3 as cledi.CLEDI without detail, two views)', MULTI_CROP, 30,
                ['optim_wrapper.optimizer.lr=6e-4', 'data_preprocessor.num_local_views=0', 'model.head.temperature=0.1']),
    'p6-crop0.08': ('p0-base', 'global crop scale 0.08-1 (was 0.2-1)', MULTI_CROP, 30,
                    ['optim_wrapper.optimizer.lr=6e-4', 'data_preprocessor.num_local_views=0',
                     'data_preprocessor.views.0.crop_scale=(0.08,1.0)', 'data_preprocessor.views.1.crop_scale=(0.08,1.0)']),
    'p7-mc2-large': ('p0-base', 'multi-crop: + 2 local views of 16 px, 20-50 % of the image (same minutes: 23 epochs)',
                     MULTI_CROP, 23, ['optim_wrapper.optimizer.lr=6e-4', 'data_preprocessor.num_local_views=2',
                                      'data_preprocessor.local_view.crop_scale=(0.2,0.5)']),
    # p0 repeated where p5 on ran (an Intel Xeon with AMX instead of the Zen 4 of p0-p3): what the machine alone moves
    'p0-again': ('p0-base', "p0-base repeated on the machine of p5-p7 (the machine's effect, not a change)", TWO_VIEW,
                 30, ['optim_wrapper.optimizer.lr=6e-4']),
    # the finalists (protocol: the two best points at the full budget); no proxy point gained more than 1.0, so the
    # two best are p0-base and p2-lr2x. The better on val kNN is the recipe (the val fine-tune breaks a tie).
    'f1-base-120': (None, 'finalist: p0-base at the full budget', TWO_VIEW, 120, ['optim_wrapper.optimizer.lr=6e-4']),
    'f2-lr2x-120': ('f1-base-120', 'finalist: p2-lr2x at the full budget', TWO_VIEW, 120,
                    ['optim_wrapper.optimizer.lr=1.2e-3']),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0], epilog='example:\n  python '
                                     'tools/benchmarks/recipe_search.py --report-only',
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--points', nargs='+', choices=list(POINTS), default=list(POINTS))
    parser.add_argument('--state', default=osp.expanduser('~/.cache/cledi/recipe'))
    parser.add_argument('--data-root', default=default_data_root('cifar10'))
    parser.add_argument('--report-only', action='store_true')
    parser.add_argument('--out', default='docs/benchmarks.md')
    return parser.parse_args(argv)


RESULTS = osp.join(ROOT, 'docs', 'results', 'recipe-search')


def work_dir(args, name):
    return osp.join(args.state, name)


def run_point(args, name):
    _, _, config, epochs, options = POINTS[name]
    folder = work_dir(args, name)
    if osp.isfile(osp.join(folder, f'epoch_{epochs}.pth')) or osp.isfile(osp.join(RESULTS, f'{name}.json')):
        return  # finished here, or recorded in docs/results/recipe-search/
    resume = bool(glob.glob(osp.join(folder, 'epoch_*.pth')))
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'train.py'), config, '--work-dir', folder, '--data-root',
           args.data_root, '--epochs', str(epochs), *(['--resume'] if resume else []), '--cfg-options',
           'randomness.seed=0', *MONITOR, *options]
    print(f'[recipe] {name}: {" ".join(cmd)}', flush=True)
    with open(osp.join(args.state, f'{name}.out'), 'a') as log:
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=log, stderr=subprocess.STDOUT)


def record_of(name: str) -> dict:
    """A point's record in ``docs/results/recipe-search/`` ({} when it has none)."""
    kept = osp.join(RESULTS, f'{name}.json')
    if not osp.isfile(kept):
        return {}
    with open(kept) as f:
        return json.load(f)


def result(args, name):
    """Final val kNN, the kNN curve, the median seconds per iteration and the minutes of training: from RESULTS
    when the point is recorded there, else from its finished run folder (and then recorded)."""
    _, _, config, epochs, options = POINTS[name]
    kept = osp.join(RESULTS, f'{name}.json')
    if osp.isfile(kept):  # recorded when it finished, with the commit and machine that ran it
        return record_of(name)
    records = logged_scalars(work_dir(args, name)) if osp.isdir(work_dir(args, name)) else []
    knn = knn_curve(work_dir(args, name)) if records else {}
    if epochs not in knn:
        return None
    times = [r['time'] for r in records if 'time' in r]
    iterations = max(r.get('step', 0) for r in records if 'loss' in r)
    batch = 64 if 'train_dataloader.batch_size=64' in options else 128
    got = dict(knn=knn[epochs], curve={str(e): v for e, v in sorted(knn.items())}, seconds=statistics.median(times),
               minutes=statistics.median(times) * iterations / 60, images=epochs * 5000 // batch * batch,
               machine=machine_key(), commit=source_commit())
    os.makedirs(RESULTS, exist_ok=True)
    with open(kept, 'w') as f:
        json.dump(got, f, indent=1, sort_keys=True)
    return got


def point_verdict(name: str, start: str, gap: float, same_machine: bool,
                  finetune_gap: Optional[float] = None) -> str:
    """How a point reads against the point it starts from (``gap``: its val kNN minus the start's), by the
    protocol's one threshold: a change counts when it moves val kNN by more than 1.0 point. A repeat (``-again``)
    measures the machine; a finalist (``f``) against the other finalist is chosen, not chosen or tied, and only on
    the same kind of machine; a tie is decided by the val fine-tune (``finetune_gap``, the same difference of
    fine-tune top-1: the start stays unless the finalist is better).

    Why not the shared rule of ``cledi.benchmarks`` (:func:`~cledi.benchmarks.common.paired_gap` over >= 3 paired
    seeds, or the screening's :func:`~cledi.benchmarks.common.advances`): a proxy point is one seed by design (six
    points at ~15 min, the budget of a recipe search), so there are no paired seeds to read. The fixed 1.0-point
    threshold, declared with the protocol before the first point, stands in for them; it only chooses, and nothing
    it keeps is a result: the chosen recipe runs again in a campaign with seeds, where the shared rule reads it."""
    if name.endswith('-again'):
        return 'the machine'
    if name.startswith('f'):
        if not same_machine:
            return 'another kind of machine: not comparable, run both on one'
        if abs(gap) > 1.0:
            return f'{name if gap > 0 else start} chosen'
        if finetune_gap is None:
            return 'tie: the val fine-tune decides'
        return f'tie, val fine-tune {finetune_gap:+.2f}: {name if finetune_gap > 0 else start} chosen'
    return 'kept' if gap > 1.0 else 'not kept'


def finetune_point(args, name: str) -> None:
    """The val fine-tune of a finalist (``name``) or of random init (``'random-init'``), seed 0, added to its record
    (a finalist needs its run folder here; random init is recorded once, in ``random-init.json``)."""
    record = record_of(name)
    if 'finetune_val' in record:
        return
    checkpoint = None
    if name != 'random-init':
        checkpoint = osp.join(work_dir(args, name), f'epoch_{POINTS[name][3]}.pth')
        if not record or not osp.isfile(checkpoint):
            return  # not finished here: its fine-tune runs where its checkpoint is
    print(f'[recipe] {name}: val fine-tune, {FINETUNE_EPOCHS} epochs', flush=True)
    record['finetune_val'] = finetune_top1(checkpoint, work_dir(args, f'{name}_ft{FINETUNE_EPOCHS}_val'),
                                           args.data_root, 0, FINETUNE_EPOCHS, 'val',
                                           osp.join(args.state, 'val_holdout.txt'))
    if name == 'random-init':
        record.update(machine=machine_key(), commit=source_commit())
    os.makedirs(RESULTS, exist_ok=True)
    with open(osp.join(RESULTS, f'{name}.json'), 'w') as f:
        json.dump(record, f, indent=1, sort_keys=True)


def report(args):
    rows = {name: result(args, name) for name in POINTS}
    random = record_of('random-init')
    lines = ['Command: `python tools/benchmarks/recipe_search.py` (runs in `~/.cache/cledi/recipe/`)', '',
             'MoCo v3 (seed 0) on the 5,000-image split, val CLS kNN top-1 (k=20) after the last epoch; 2 CPU cores, '
             'bf16 autocast, the machine of each point beside it. Minutes = the median logged seconds per iteration x '
             'iterations (the wall time of these runs '
             'includes pauses while other measurements had the machine). A change is kept when it gains more than '
             '1.0 point over the point it starts from. Each point\'s figures, commit and source are in '
             '`docs/results/recipe-search/<point>.json`.', '',
             '| point | starts from | change | epochs | images seen | minutes | machine | val CLS kNN | vs its start '
             '| val fine-tune |', '|---|---|---|---|---|---|---|---|---|---|']
    for name, (start, change, _, epochs, _) in POINTS.items():
        got = rows[name]
        if got is None:
            lines.append(f'| `{name}` | {start or ""} | {change} | {epochs} | | | | not run yet | | |')
            continue
        versus = ''
        if start and rows.get(start):
            gap = got['knn'] - rows[start]['knn']
            finetune_gap = None
            if 'finetune_val' in got and 'finetune_val' in rows[start]:
                finetune_gap = got['finetune_val']['top1'] - rows[start]['finetune_val']['top1']
            verdict = point_verdict(name, start, gap, got['machine'] == rows[start]['machine'], finetune_gap)
            versus = f'{gap:+.2f} ({verdict})'
        minutes = '' if got['minutes'] is None else f'{got["minutes"]:.0f}'
        finetune = ''
        if 'finetune_val' in got:
            finetune = f'{got["finetune_val"]["top1"]:.2f}'
            if random and 'finetune_val' in random:
                finetune += f' ({got["finetune_val"]["top1"] - random["finetune_val"]["top1"]:+.2f})'
        lines.append(f'| `{name}` | {start or ""} | {change} | {epochs} | {got["images"]:,} | {minutes} | '
                     f'{got["machine"]} | {got["knn"]:.2f} | {versus} | {finetune} |')
    if random and 'finetune_val' in random:
        lines += ['', f'Random init, the same val fine-tune (seed 0, {FINETUNE_EPOCHS} epochs, '
                  f'{random["machine"]}): top-1 **{random["finetune_val"]["top1"]:.2f}**; a finalist\'s fine-tune '
                  'cell shows its top-1 and, in brackets, its lift over random init (target: >= +5.0).']
    text = '\n'.join(lines)
    write_section(osp.join(ROOT, args.out), 'recipe-search', 'Recipe search: proxy points on the val queries (CPU)',
                  text)
    print(text)
    return rows


def main(argv=None):
    args = parse_args(argv)
    if not args.report_only:
        for name in args.points:
            began = time.time()
            run_point(args, name)
            print(f'[recipe] {name}: {time.time() - began:.0f} s', flush=True)
            if name.startswith('f'):  # the finalists' val fine-tune, random init's once
                result(args, name)
                finetune_point(args, name)
                finetune_point(args, 'random-init')
    return report(args)


if __name__ == '__main__':
    run_tool(main)
