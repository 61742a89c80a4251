"""One resumable campaign: a grid of pre-training runs (methods x seeds x budgets), their evaluations, and tables.

A campaign is declared once (:data:`CAMPAIGNS`); ``tools/benchmarks/campaign.py NAME`` runs what is missing, in
order, and can be stopped and started again at any point:

- each pre-training is a ``tools/train.py`` run in ``<state>/<campaign>/<run>/`` (state outside the checkout,
  ``$CLEDI_STATE`` or ``~/.cache/cledi/campaigns``), continued from its last checkpoint with the project's exact
  resume; its ``run.json`` records the commit, the machine (CPU and its bf16 support, or the GPU) and the precision,
  and a resume across a mismatch is refused (the engine changes numerics);
- each evaluation of a finished run (kNN and linear probe on CLS / mean / CLS+mean, on val or test, for the online
  and the momentum encoder; the frozen dense probe; the 30-epoch fine-tune, random init included) is cached as a
  JSON file in the run's folder and skipped once there;
- each finished run's numbers are written to ``docs/results/<campaign>/<run>.json`` (commit them: they outlive
  the machine), and the tables are made from those files only, so ``--report-only`` rebuilds them anywhere; a run
  recorded there complete is not run again, so a campaign longer than a machine's life goes on where it stopped.
"""
import json
import os
import os.path as osp
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from cledi.benchmarks.common import NAMES, ROOT, TARGETS, advances, default_data_root, mean_std, paired_gap
from cledi.benchmarks.report import write_section

FINETUNE_CONFIG = 'configs/benchmarks/finetune/vit-mini-p4_finetune-adamw-ld0.65-100e_cifar10-10pct.py'
EVALUATIONS = ('knn', 'dense', 'finetune')


@dataclass
class Campaign:
    """A grid of runs and what is measured on them.

    Attributes:
        configs: method -> pre-training config (the twins of one recipe).
        epochs: the budgets, as pre-training epochs on the 5,000 images (each its own run and schedule).
        seeds: the seeds; seed s pre-trains every method with seed s (the same data order and views) and
            fine-tunes every initialisation with seed s.
        split: ``'val'`` (choosing) or ``'test'`` (final rows, once).
        evaluations: of ``knn`` (kNN + linear probe, CLS / mean / CLS+mean, online and momentum encoder),
            ``dense`` (frozen dense probe, online and momentum), ``finetune`` (online; random init too).
        options: extra ``--cfg-options`` for every pre-training.
        finetune_epochs: the fine-tune protocol's length.
        title: the docs section's title.
        pairs: the paired differences the tables show, ``(method, baseline)``; by default the last method against
            the first (with the detail targets) and the first against random init.
        screening: read every pair's CLS kNN difference by the screening rule (:func:`advances`); a method
            advances when all of its pairs do.
    """
    configs: Dict[str, str]
    epochs: Tuple[int, ...]
    seeds: Tuple[int, ...] = (0, 1, 2)
    split: str = 'val'
    evaluations: Tuple[str, ...] = EVALUATIONS
    options: Tuple[str, ...] = ()
    finetune_epochs: int = 30
    title: str = ''
    pairs: Tuple[Tuple[str, str], ...] = ()
    screening: bool = False


# Filled in when the recipe is fixed (docs/benchmarks.md, part 0); `tests` declares a unit-sized grid for the tests.
CAMPAIGNS: Dict[str, Campaign] = {}


def state_root() -> str:
    return osp.expanduser(os.environ.get('CLEDI_STATE', '~/.cache/cledi/campaigns'))


@dataclass
class Run:
    campaign: str
    method: str  # a method of the campaign, or 'random' (random init: evaluations only)
    seed: int
    epochs: int = 0

    @property
    def name(self) -> str:
        return f'random_seed{self.seed}' if self.method == 'random' else f'{self.method}_e{self.epochs}_seed{self.seed}'

    def work_dir(self, state: str) -> str:
        return osp.join(state, self.campaign, self.name)


def runs_of(name: str, campaign: Campaign) -> List[Run]:
    """Seed-major order, so that a stopped campaign leaves whole seeds; random init once per seed."""
    runs = []
    for seed in campaign.seeds:
        for epochs in campaign.epochs:
            runs += [Run(name, method, seed, epochs) for method in campaign.configs]
        runs.append(Run(name, 'random', seed))
    return runs


def source_commit() -> str:
    """The commit of the code that runs (``-dirty`` when the tree has uncommitted changes)."""
    try:
        commit = subprocess.run(['git', 'rev-parse', '--short=12', 'HEAD'], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no'], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return commit + ('-dirty' if dirty else '')
    except (OSError, subprocess.CalledProcessError):
        return 'unknown'


def machine_key() -> str:
    """What decides a run's numerics besides the code: the GPU, or the CPU model and whether it has native bf16."""
    import torch

    from cledi.engine.optimizers import cpu_has_native_bf16
    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    model = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            model = next((line.split(':', 1)[1].strip() for line in f if line.startswith('model name')), model)
    except OSError:
        pass
    return f'{model}, {os.cpu_count()} cores, {"native bf16" if cpu_has_native_bf16() else "no native bf16"}'


def precision_key() -> str:
    import torch

    from cledi.engine.optimizers import cpu_has_native_bf16
    if torch.cuda.is_available():
        return 'fp16 amp'
    return 'bf16 autocast' if cpu_has_native_bf16() else 'fp32'


class MismatchError(RuntimeError):
    """A run would resume on other code, another machine or another precision than it started with."""


def identity() -> dict:
    return dict(commit=source_commit(), machine=machine_key(), precision=precision_key())


def check_identity(work_dir: str, allow_mismatch: bool = False) -> dict:
    """The run's recorded identity (written at its start); a resume with another one is refused."""
    path = osp.join(work_dir, 'run.json')
    now = identity()
    if not osp.isfile(path):
        return now
    with open(path) as f:
        recorded = json.load(f)
    changed = {key: (recorded.get(key), now[key]) for key in now if recorded.get(key) != now[key]}
    if changed and not allow_mismatch:
        what = '; '.join(f'{key}: started with {old!r}, now {new!r}' for key, (old, new) in changed.items())
        raise MismatchError(f'{work_dir} would resume with another {", ".join(changed)} ({what}): its numbers '
                            'would mix two engines. Run it where it started, delete the folder to start it again, '
                            'or pass --allow-mismatch')
    return recorded


def pretrain(campaign: Campaign, run: Run, state: str, data_root: str, allow_mismatch: bool = False,
             wait: bool = True):
    """Start or continue one pre-training; returns the process when ``wait`` is False (None when finished)."""
    work_dir = run.work_dir(state)
    final = osp.join(work_dir, f'epoch_{run.epochs}.pth')
    if osp.isfile(final):
        return None
    recorded = check_identity(work_dir, allow_mismatch)
    os.makedirs(work_dir, exist_ok=True)
    resume = any(name.startswith('epoch_') for name in os.listdir(work_dir))
    info = dict(recorded, config=campaign.configs[run.method], epochs=run.epochs, seed=run.seed,
                options=list(campaign.options), started=recorded.get('started', time.strftime('%Y-%m-%d %H:%M')))
    changed = [key for key in ('config', 'epochs', 'seed', 'options') if key in recorded and recorded[key] != info[key]]
    if resume and changed:
        raise MismatchError(f'{work_dir} was started with another {", ".join(changed)} than the campaign now declares '
                            f'({"; ".join(f"{k}: {recorded[k]!r} -> {info[k]!r}" for k in changed)}): delete the '
                            'folder to run it with the new declaration')
    with open(osp.join(work_dir, 'run.json'), 'w') as f:
        json.dump(info, f, indent=2)
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'train.py'), campaign.configs[run.method], '--work-dir',
           work_dir, '--data-root', data_root, '--epochs', str(run.epochs), '--cfg-options',
           f'randomness.seed={run.seed}', *campaign.options]
    if resume:
        cmd.insert(cmd.index('--cfg-options'), '--resume')
    print(f'[campaign] {"continuing" if resume else "starting"} {run.name}: {" ".join(cmd)}', flush=True)
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=open(osp.join(work_dir, 'train.out'), 'a'),
                               stderr=subprocess.STDOUT)
    return finish_pretrain(process, run, work_dir) if wait else (process, run, work_dir, time.time())


def finish_pretrain(process, run: Run, work_dir: str, started: Optional[float] = None) -> None:
    started = time.time() if started is None else started
    if process.wait() != 0:
        raise SystemExit(f'[campaign] {run.name} failed (exit code {process.returncode}; see {work_dir}/train.out); '
                         'run the same command again to continue it from its last checkpoint')
    path = osp.join(work_dir, 'run.json')
    with open(path) as f:
        info = json.load(f)
    info['wall_s'] = info.get('wall_s', 0) + time.time() - started
    info['finished'] = time.strftime('%Y-%m-%d %H:%M')
    with open(path, 'w') as f:
        json.dump(info, f, indent=2)


def momentum_checkpoint(work_dir: str, epochs: int) -> str:
    """``momentum.pth`` beside the run: the momentum encoder's backbone (and detail pooling) as ``backbone.*``
    (``detail.pool.*``), so every evaluation tool can score the momentum encoder like a backbone."""
    import torch

    from cledi.utils import load_checked
    out = osp.join(work_dir, 'momentum.pth')
    if not osp.isfile(out):
        state_dict = load_checked(osp.join(work_dir, f'epoch_{epochs}.pth'))['state_dict']
        weights = {}
        for prefix, target in (('momentum_encoder.backbone.', 'backbone.'),
                               ('momentum_encoder.detail_aggregator.', 'detail.pool.')):
            weights.update({target + k[len(prefix):]: v for k, v in state_dict.items() if k.startswith(prefix)})
        torch.save(dict(state_dict=weights), out + '.tmp')
        os.replace(out + '.tmp', out)
    return out


def evaluation_tasks(campaign: Campaign, run: Run, state: str) -> List[Tuple[str, List[str]]]:
    """(result file, command) of every evaluation of one run, in order."""
    work_dir = run.work_dir(state)
    config = campaign.configs.get(run.method) or next(iter(campaign.configs.values()))
    checkpoints = {'online': 'random' if run.method == 'random' else osp.join(work_dir, f'epoch_{run.epochs}.pth')}
    if run.method != 'random':
        checkpoints['momentum'] = 'momentum'  # made from the final checkpoint when its turn comes
    tasks = []
    for encoder, checkpoint in checkpoints.items():
        if 'knn' in campaign.evaluations:
            out = osp.join(work_dir, f'knn_{campaign.split}_{encoder}.json')
            tasks.append((out, ['tools/knn_eval.py', config, checkpoint, '--split', campaign.split, '--feature', 'cls',
                                'mean', 'cls+mean', '--linear', '--seed', str(run.seed), '--out', out]))
        if 'dense' in campaign.evaluations:
            out = osp.join(work_dir, f'dense_{encoder}.json')
            tasks.append((out, ['tools/dense_probe.py', config, checkpoint, '--seed', str(run.seed), '--out', out]))
    if 'finetune' in campaign.evaluations:
        out = osp.join(work_dir, f'finetune_{campaign.split}.json')
        tasks.append((out, ['finetune', checkpoints['online']]))
    return tasks


def run_evaluation(campaign: Campaign, run: Run, state: str, data_root: str, out: str, command: List[str]) -> None:
    work_dir = run.work_dir(state)
    os.makedirs(work_dir, exist_ok=True)
    if 'momentum' in command:
        command = [momentum_checkpoint(work_dir, run.epochs) if word == 'momentum' else word for word in command]
    if command[0] == 'finetune':
        return finetune(campaign, run, state, data_root, command[1], out)
    root = data_root if command[0] == 'tools/knn_eval.py' else default_data_root('pennfudan')
    cmd = [sys.executable, osp.join(ROOT, command[0]), *command[1:], '--data-root', root]
    print(f'[campaign] {run.name}: {" ".join(cmd)}', flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def finetune(campaign: Campaign, run: Run, state: str, data_root: str, checkpoint: str, out: str) -> None:
    """The fine-tune protocol (``lowdata_finetune.py``'s recipe, ``finetune_epochs`` epochs) on the 5,000 labelled
    images, top-1 after the last epoch on the campaign's split."""
    from cledi.benchmarks.common import logged_scalars, run_or_resume, write_holdout_list
    work_dir = osp.join(run.work_dir(state), f'finetune_{campaign.split}')
    options = [f'randomness.seed={run.seed}']
    if checkpoint != 'random':
        options.append(f'model.backbone.init_cfg.checkpoint={checkpoint}')
    if campaign.split == 'val':
        holdout = write_holdout_list(data_root, osp.join(state, 'val_holdout.txt'))
        options += [f'val_dataloader.dataset.ann_file={holdout}', 'val_dataloader.dataset.data_prefix=train']
    run_or_resume(FINETUNE_CONFIG, work_dir, f'epoch_{campaign.finetune_epochs}.pth', data_root,
                  campaign.finetune_epochs, options)
    records = [r for r in logged_scalars(work_dir) if 'accuracy/top1' in r and r.get('step') == campaign.finetune_epochs]
    if not records:
        raise SystemExit(f'{work_dir} has no accuracy after epoch {campaign.finetune_epochs}: delete it and run again')
    with open(out, 'w') as f:
        json.dump(dict(top1=records[-1]['accuracy/top1'], top5=records[-1]['accuracy/top5']), f, indent=2)


def knn_curve(work_dir: str) -> Dict[int, float]:
    """{epoch: kNN top-1 (k=20)} of a pre-training's monitor."""
    from cledi.benchmarks.common import logged_scalars
    return {int(r['epoch']): r['knn/top1_k20'] for r in logged_scalars(work_dir) if 'knn/top1_k20' in r and 'epoch' in r}


def collect(campaign: Campaign, run: Run, state: str) -> dict:
    """Everything measured on one run, for its committed JSON file."""
    work_dir = run.work_dir(state)
    result = dict(campaign=run.campaign, run=run.name, method=run.method, seed=run.seed, epochs=run.epochs,
                  split=campaign.split)
    if run.method != 'random':
        with open(osp.join(work_dir, 'run.json')) as f:
            result['pretrain'] = json.load(f)
        result['knn_curve'] = knn_curve(work_dir)
    for out, _ in evaluation_tasks(campaign, run, state):
        with open(out) as f:
            result[osp.splitext(osp.basename(out))[0]] = json.load(f)
    return result


RESULTS = osp.join(ROOT, 'docs', 'results')


def save_result(name: str, result: dict, results: str = RESULTS) -> str:
    os.makedirs(osp.join(results, name), exist_ok=True)
    path = osp.join(results, name, f'{result["run"]}.json')
    with open(path, 'w') as f:
        json.dump(result, f, indent=1, sort_keys=True)
    return path


def load_results(name: str, results: str = RESULTS) -> Dict[str, dict]:
    folder = osp.join(results, name)
    if not osp.isdir(folder):
        return {}
    results = {}
    for file in sorted(os.listdir(folder)):
        with open(osp.join(folder, file)) as f:
            result = json.load(f)
        results[result['run']] = result
    return results


@dataclass
class Progress:
    """Tasks done and left, and an ETA from the minutes of each kind of task measured so far."""
    total: int
    done: int = 0
    seconds: Dict[str, List[float]] = field(default_factory=dict)
    left: Dict[str, int] = field(default_factory=dict)
    defaults = {'pretrain': 3600.0, 'finetune': 600.0, 'eval': 90.0}

    def record(self, kind: str, seconds: float) -> None:
        self.done += 1
        self.left[kind] = self.left.get(kind, 1) - 1
        self.seconds.setdefault(kind, []).append(seconds)

    def eta_hours(self) -> float:
        per = {kind: statistics.median(self.seconds[kind]) if self.seconds.get(kind) else self.defaults[kind]
               for kind in self.defaults}
        return sum(per[kind] * max(count, 0) for kind, count in self.left.items()) / 3600

    def line(self, next_task: str) -> str:
        return (f'[campaign] {self.done}/{self.total} tasks done, {self.total - self.done} left (ETA '
                f'{self.eta_hours():.1f} h); next: {next_task}')


def plan(name: str, campaign: Campaign, state: str) -> List[Tuple[str, Run, Optional[str], Optional[List[str]]]]:
    """Every task of the campaign, in order, with whether it is done: (kind, run, result file, command)."""
    tasks = []
    for run in runs_of(name, campaign):
        if run.method != 'random':
            tasks.append(('pretrain', run, osp.join(run.work_dir(state), f'epoch_{run.epochs}.pth'), None))
        for out, command in evaluation_tasks(campaign, run, state):
            tasks.append(('finetune' if command[0] == 'finetune' else 'eval', run, out, command))
    return tasks


def committed_runs(name: str, campaign: Campaign, state: str, results: str = RESULTS) -> List[str]:
    """Runs whose complete results are committed (``results/NAME/RUN.json`` holding every evaluation the campaign
    asks for): they are finished, also where this machine's run folders are gone, and are not run again."""
    recorded = load_results(name, results)
    done = []
    for run in runs_of(name, campaign):
        stems = [osp.splitext(osp.basename(out))[0] for out, _ in evaluation_tasks(campaign, run, state)]
        if run.name in recorded and all(stem in recorded[run.name] for stem in stems):
            done.append(run.name)
    return done


def run_campaign(name: str, campaign: Campaign, state: Optional[str] = None, data_root: Optional[str] = None,
                 allow_mismatch: bool = False, parallel: int = 1, status: bool = False, results: str = RESULTS,
                 out: Optional[str] = None) -> Dict[str, dict]:
    """Run what is missing, then save every finished run's results (``results/NAME/``) and write the tables."""
    state = state or state_root()
    data_root = data_root or default_data_root('cifar10')
    committed = committed_runs(name, campaign, state, results)
    tasks = [task for task in plan(name, campaign, state) if task[1].name not in committed]
    if committed:
        print(f'[campaign] {len(committed)} run(s) recorded in {osp.join(results, name)} are not run again: '
              f'{", ".join(sorted(committed))}', flush=True)
    progress = Progress(total=len(tasks))
    for kind, _, result_file, _ in tasks:
        if osp.isfile(result_file):
            progress.done += 1
        else:
            progress.left[kind] = progress.left.get(kind, 0) + 1
    print(progress.line(next((f'{k} {r.name}' for k, r, o, _ in tasks if not osp.isfile(o)), 'nothing')), flush=True)
    if status:
        return {}
    if parallel > 1:  # pre-trainings side by side (several on one GPU), then the evaluations in turn
        pending = [run for kind, run, result_file, _ in tasks if kind == 'pretrain' and not osp.isfile(result_file)]
        while pending:
            batch, pending = pending[:parallel], pending[parallel:]
            started = [pretrain(campaign, run, state, data_root, allow_mismatch, wait=False) for run in batch]
            for item in filter(None, started):
                finish_pretrain(*item)
                progress.record('pretrain', time.time() - item[3])
    for kind, run, result_file, command in tasks:
        if osp.isfile(result_file):
            continue
        print(progress.line(f'{kind} {run.name}'), flush=True)
        began = time.time()
        if kind == 'pretrain':
            pretrain(campaign, run, state, data_root, allow_mismatch)
        else:
            run_evaluation(campaign, run, state, data_root, result_file, command)
        progress.record(kind, time.time() - began)
        if all(osp.isfile(o) for _, r, o, _ in tasks if r.name == run.name):
            save_result(name, collect(campaign, run, state), results)  # as soon as the run is complete
    for run in runs_of(name, campaign):  # and every complete run (also those finished by an earlier invocation)
        if run.name not in committed and all(osp.isfile(o) for _, r, o, _ in tasks if r.name == run.name):
            save_result(name, collect(campaign, run, state), results)
    finished = load_results(name, results)
    write_report(name, campaign, finished, out)
    return finished


METRICS = [  # label, result file stem ({split} filled in), path into it, target of CL-EDI - MoCo v3
    ('CLS kNN top-1 (k=20)', 'knn_{split}_online', ('cls', 'top1_k20'), 'knn'),
    ('linear probe, CLS', 'knn_{split}_online', ('cls', 'linear_top1'), 'linear'),
    ('fine-tune top-1', 'finetune_{split}', ('top1', ), 'finetune'),
    ('dense probe mIoU (Penn-Fudan val)', 'dense_online', ('mIoU', ), 'dense'),
    ('kNN, mean of patches', 'knn_{split}_online', ('mean', 'top1_k20'), None),
    ('kNN, CLS + mean', 'knn_{split}_online', ('cls+mean', 'top1_k20'), None),
    ('linear probe, CLS + mean', 'knn_{split}_online', ('cls+mean', 'linear_top1'), None),
    ('momentum encoder: CLS kNN', 'knn_{split}_momentum', ('cls', 'top1_k20'), None),
    ('momentum encoder: linear CLS', 'knn_{split}_momentum', ('cls', 'linear_top1'), None),
    ('momentum encoder: kNN, mean of patches', 'knn_{split}_momentum', ('mean', 'top1_k20'), None),
    ('momentum encoder: dense mIoU', 'dense_momentum', ('mIoU', ), None),
]
REGIME_TARGETS = {'CLS kNN top-1 (k=20)': ('mocov3', 50.0), 'fine-tune top-1': ('lift', 5.0)}


def metric(result: dict, stem: str, path: Sequence[str]) -> Optional[float]:
    value = result.get(stem)
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return float(value)


def method_name(method: str) -> str:
    return dict(NAMES, random='random init').get(method, method)


def report_lines(name: str, campaign: Campaign, results: Dict[str, dict], epochs: int) -> List[str]:
    """The table of one budget: every measure per method (mean ± std, per seed) and the paired gaps."""
    methods = ['random', *campaign.configs]
    rows = {m: {r['seed']: r for r in results.values() if r['method'] == m and (m == 'random' or r['epochs'] == epochs)}
            for m in methods}
    seeds = sorted(set.intersection(*[set(rows[m]) for m in methods])) if all(rows.values()) else []
    first = next(iter(campaign.configs))
    last = list(campaign.configs)[-1]
    pairs = ([(a, b, False) for a, b in campaign.pairs] if campaign.pairs else
             ([(last, first, True)] if last != first else []) + [(first, 'random', False)])
    header = ['measure', *[method_name(m) for m in methods],
              *[f'{method_name(a)} - {method_name(b)} (paired)' for a, b, _ in pairs]]
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    verdicts = []
    for label, stem, path, target in METRICS:
        stem = stem.format(split=campaign.split)
        values = {m: [metric(rows[m][s], stem, path) for s in seeds] for m in methods}
        if not seeds or all(v is None for m in methods for v in values[m]):
            continue
        cells = []
        for m in methods:
            got = [v for v in values[m] if v is not None]
            cells.append(f'{mean_std(got)} ({", ".join(f"{v:.2f}" for v in got)})' if got else 'n/a')
        gaps = []
        for a, b, tgt in ((a, b, TARGETS.get(target) if target and with_target else None) for a, b, with_target in pairs):
            if None in values[a] or None in values[b]:
                gaps.append('n/a')
                continue
            gaps.append(paired_gap(values[a], values[b], tgt))
        lines.append(f'| {label} | ' + ' | '.join(cells + gaps) + ' |')
        if campaign.screening and label == METRICS[0][0]:
            verdicts += screening_lines(values, pairs)
        if label in REGIME_TARGETS and None not in values[first] and not campaign.screening:
            kind, level = REGIME_TARGETS[label]
            if kind == 'mocov3':
                mean = statistics.mean(values[first])
                verdicts.append(f'{method_name(first)} {label} **{mean:.2f}** (target >= {level:.0f}: '
                                f'{"reached" if mean >= level else "not reached"})')
            elif None not in values['random']:
                verdicts.append(f'{method_name(first)} - random init, {label}: '
                                f'{paired_gap(values[first], values["random"], level)}')
    wall = [r['pretrain'].get('wall_s', 0) / 60 for m in campaign.configs for r in rows[m].values() if 'pretrain' in r]
    lines += ['', f'Seeds {", ".join(map(str, seeds)) or "none yet"} (paired: seed s pre-trains every method and '
              'fine-tunes every initialisation); per-seed values in brackets; a target is reached only where the mean '
              'reaches it and every seed is positive.']
    if wall:
        lines[-1] += f' Pre-training wall time {min(wall):.0f}-{max(wall):.0f} min per run.'
    if verdicts and campaign.screening:
        lines += ['', 'Screening rule (fixed before any run): a method advances when its mean paired CLS kNN '
                  'difference is > 0 with no seed below -0.3, or the lower bound of its 95 % t interval is > 0, '
                  'against every baseline it is paired with.', '', *verdicts]
    elif verdicts:
        lines += ['', 'Targets of the regime: ' + '; '.join(verdicts) + '.']
    return lines


def screening_lines(values: Dict[str, List[Optional[float]]], pairs) -> List[str]:
    """One line per screened method: its paired CLS kNN differences and whether it advances (all pairs do)."""
    lines = []
    for method in dict.fromkeys(a for a, _, _ in pairs):
        readings, advanced = [], True
        for a, b, _ in pairs:
            if a != method or None in values[a] or None in values[b]:
                continue
            differences = [x - y for x, y in zip(values[a], values[b])]
            advanced = advanced and advances(differences)
            readings.append(f'vs {method_name(b)} {paired_gap(values[a], values[b])}')
        if readings:
            lines.append(f'- {method_name(method)}: {"; ".join(readings)}: '
                         f'**{"advances" if advanced else "does not advance"}**')
    return lines


def budget_figure(name: str, campaign: Campaign, results: Dict[str, dict], path: str) -> Optional[str]:
    """With several budgets: CLS kNN (and fine-tune) against the pre-training minutes, a line per method (mean over
    the seeds that have them); each point a run with its own schedule, never an intermediate checkpoint."""
    if len(campaign.epochs) < 2:
        return None
    from cledi.visualization import curves_figure, save_figure
    series = {}
    for method in campaign.configs:
        curve = {}
        for label, stem, key in (('CLS kNN top-1', f'knn_{campaign.split}_online', ('cls', 'top1_k20')),
                                 ('fine-tune top-1', f'finetune_{campaign.split}', ('top1', ))):
            points = []
            for epochs in campaign.epochs:
                runs = [r for r in results.values() if r['method'] == method and r['epochs'] == epochs]
                values = [metric(r, stem, key) for r in runs]
                minutes = [r['pretrain'].get('wall_s', 0) / 60 for r in runs if 'pretrain' in r]
                if runs and None not in values and minutes:
                    points.append((statistics.mean(minutes), statistics.mean(values)))
            if points:
                curve[label] = ([x for x, _ in points], [y for _, y in points])
        if curve:
            series[method_name(method)] = curve
    if not series:
        return None
    return save_figure(curves_figure(series, ['CLS kNN top-1', 'fine-tune top-1'], xlabel='pre-training minutes'), path)


def write_report(name: str, campaign: Campaign, results: Dict[str, dict], out: Optional[str] = None) -> str:
    """The campaign's section of docs/benchmarks.md, made from the committed per-run JSON files."""
    out = out or osp.join(ROOT, 'docs', 'benchmarks.md')
    identities = sorted({(r['pretrain']['commit'], r['pretrain']['machine'], r['pretrain']['precision'])
                         for r in results.values() if 'pretrain' in r})
    configs = ', '.join(f'`{c}`' for c in campaign.configs.values())
    recipe = ''
    try:  # the recipe in words, read from the first config as the campaign runs it
        from cledi.apis import load_config
        from cledi.benchmarks.common import pretrain_recipe
        recipe = f' Recipe: {pretrain_recipe(load_config(next(iter(campaign.configs.values())), campaign.options))}.'
    except Exception:  # noqa: BLE001 - a unit-sized test config may lack a field; the table stays
        pass
    lines = [f'Command: `python tools/benchmarks/campaign.py {name}` (per-run results: `docs/results/{name}/`)', '',
             f'Configs {configs}; {campaign.split} split; fine-tune {campaign.finetune_epochs} epochs on the 5,000 '
             'labelled images; dense probe on Penn-Fudan val. Runs made by '
             + '; '.join(f'commit {c} on {m} ({p})' for c, m, p in identities) + '.' + recipe if identities else
             f'Configs {configs}; no finished run yet.{recipe}']
    for epochs in campaign.epochs:
        lines += ['', f'**{epochs} pre-training epochs** ({epochs * 5000:,} images seen):', '']
        lines += report_lines(name, campaign, results, epochs)
    figure = budget_figure(name, campaign, results, osp.join(osp.dirname(out), 'figures', f'campaign-{name}.png'))
    if figure:
        lines += ['', f'![accuracy against the pre-training budget](figures/campaign-{name}.png)']
    text = '\n'.join(lines)
    write_section(out, f'campaign-{name}', campaign.title or f'Campaign {name}', text)
    return text
