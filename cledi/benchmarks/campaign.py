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
import datetime
import json
import os
import os.path as osp
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from cledi.benchmarks.common import (FINETUNE_CONFIG, ROOT, default_data_root, finetune_top1, logged_scalars,
                                     run_or_resume)
from cledi.benchmarks.methods import METHODS, RANDOM, config
from cledi.engine.safe_checkpoint import checkpoint_step, checkpoints_newest_first

EVALUATIONS = ('knn', 'dense', 'finetune')  # and 'detection' (Mask R-CNN on Penn-Fudan), where a campaign asks
DETECTION_CONFIG = 'configs/benchmarks/detection/mask-rcnn_vit-mini-p4-simplefpn_1xb4-20e_pennfudan.py'


@dataclass
class Campaign:
    """A grid of runs and what is measured on them.

    Attributes:
        configs: method -> pre-training config (the twins of one recipe; :func:`configs_of` reads a setting's from
            the declared methods).
        epochs: the budgets, as pre-training epochs on the ``images`` (each its own run and schedule).
        seeds: the seeds; seed s pre-trains every method with seed s (the same data order and views) and
            fine-tunes every initialisation with seed s.
        split: ``'val'`` (choosing) or ``'test'`` (final rows, once).
        evaluations: of ``knn`` (kNN + linear probe, CLS / mean / CLS+mean, online and momentum encoder),
            ``dense`` (frozen dense probe, online and momentum), ``finetune`` (online; random init too).
        options: extra ``--cfg-options`` for every pre-training.
        finetune_epochs: the fine-tune protocol's length.
        title: the docs section's title.
        pairs: the paired differences the tables show, ``(method, baseline)``; by default each method against the
            baseline it is declared with (``cledi.benchmarks.methods``) and, where that is not the first method, the
            first too; then, outside a screening, the first against random init. A pair against the first method
            reads the detail targets (outside a screening).
        screening: read every pair's CLS kNN difference by the screening rule (:func:`cledi.benchmarks.advances`);
            a method advances when all of its pairs do.
        data: the data set folder under the data root (``cifar10``, ``tiny-imagenet``); images: how many images
            the pre-training split has.
        finetune_config: the fine-tune protocol's config; val_list: its val queries as a list under the data set's
            folder (None: CIFAR-10's, written from the configs' val indices).
        targets: the gap targets of the pairs against the first method (None: the detail protocol's
            ``cledi.benchmarks.common.TARGETS``); regime_targets: read the regime's level targets (MoCo v3 CLS kNN
            >= 50, fine-tune >= random init + 5.0).
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
    data: str = 'cifar10'
    images: int = 5000
    finetune_config: str = FINETUNE_CONFIG
    val_list: Optional[str] = None
    targets: Optional[Dict[str, float]] = None
    regime_targets: bool = False

    def __post_init__(self):
        if self.split not in ('val', 'test'):
            raise ValueError(f"split={self.split!r}: 'val' (choosing) or 'test' (final rows, once)")
        if self.screening and self.split != 'val':
            raise ValueError('a screening chooses, so it reads the val queries: split must be val, never test')
        if self.screening and (len(self.seeds) < 2 or 'knn' not in self.evaluations):
            raise ValueError('a screening reads paired CLS kNN differences: it needs >= 2 seeds and the knn evaluation')
        unknown = {m for pair in self.pairs for m in pair} - set(self.configs) - {RANDOM}
        if unknown:
            raise ValueError(f'pairs name methods the campaign does not run: {", ".join(sorted(unknown))}')
        if not self.pairs:
            first = next(iter(self.configs))
            pairs = []
            for method in list(self.configs)[1:]:
                base = METHODS[method].baseline if method in METHODS else None
                pairs += [(method, base)] if base in self.configs and base != first else []
                if base is not None or method not in METHODS:  # a design or an undeclared method: against the first
                    pairs.append((method, first))
            self.pairs = tuple(pairs) + (() if self.screening else ((first, RANDOM), ))


def configs_of(*methods: str, setting: str = 'vit-mini-p4') -> Dict[str, str]:
    """The pre-training configs of declared methods in one setting, in this order (the first is the baseline)."""
    return {method: config(method, setting) for method in methods}


# The regime's recipe (docs/benchmarks.md, part 0: the recipe search and its finalists): two views, batch 128,
# lr 1.2e-3 per 256 images, warm-up + cosine, 120 epochs (the full budget) or 30 (the proxy budget); the kNN
# monitor every 10 epochs and a checkpoint every 5, so that a stopped run continues from its last 5 epochs.
RECIPE = ('optim_wrapper.optimizer.lr=1.2e-3', 'default_hooks.knn.interval=10',
          'default_hooks.checkpoint.interval=5')
CAMPAIGNS: Dict[str, Campaign] = {
    # issue 21, section 4: the claim measured again in the regime, test split once
    'regime': Campaign(configs=configs_of('mocov3', 'cledi'), epochs=(120, ), split='test', options=RECIPE,
                       regime_targets=True,
                       title='The long low-data regime: CL-EDI vs MoCo v3 (ViT-mini p4, 120 epochs, test split)'),
    # the regime's targets on val and its accuracy against the budget (each budget its own run and schedule)
    'regime-budget': Campaign(configs=configs_of('mocov3'), epochs=(30, 60, 120), seeds=(0, ), split='val',
                              evaluations=('knn', 'finetune'), options=RECIPE, regime_targets=True,
                              title="The regime's targets and budget curve (MoCo v3, seed 0, val queries)"),
    # issue 22: the tied-detail designs screened at the proxy budget (docs/benchmarks.md, screening protocol), each
    # against its declared baseline and MoCo v3; the default CL-EDI is read beside them, not as a candidate
    'detail-screen': Campaign(
        configs=configs_of('mocov3', 'cledi', 'shared-head', 'cls-pool', 'mocov3-mc2', 'local-cls', 'local-region'),
        epochs=(30, ), split='val', evaluations=('knn', ), options=RECIPE, screening=True,
        title='Tied detail designs: screening at the proxy budget (30 epochs, seeds 0-2, val queries)'),
    # issue 38 (docs/benchmarks.md, data sets protocol): the regime's recipe and its 4,680 steps of 128 images on
    # Tiny-ImageNet-200 at 10 % (64 px, patch 8: the regime's 64 tokens), and on 1,000 and 25,000 CIFAR-10 images
    'tiny-imagenet': Campaign(
        configs=configs_of('mocov3', 'cledi', setting='vit-mini-p8-tinyimagenet'), epochs=(60, ), split='test',
        evaluations=('knn', 'finetune'), options=RECIPE, data='tiny-imagenet', images=10000,
        targets={'knn': 1.0, 'finetune': 1.0},
        finetune_config='configs/benchmarks/finetune/vit-mini-p8_finetune-adamw-ld0.65-100e_tinyimagenet-10pct.py',
        val_list='meta/val_queries.txt',
        title='Tiny-ImageNet-200 at 10 %: CL-EDI vs MoCo v3 (ViT-mini p8 at 64 px, 60 epochs, test split)'),
    # issue 39: Mask R-CNN on Penn-Fudan from the regime's backbones (its pre-trainings again: their folders are gone
    # with their machine, and each run's backbone goes to the model zoo), pre-training seed s paired with detection
    # seed s; the detector's recipe is the one fixed before (DETECTION_CONFIG), scored on Penn-Fudan val
    'regime-detection': Campaign(
        configs=configs_of('mocov3', 'cledi'), epochs=(120, ), split='test', evaluations=('detection', ),
        options=RECIPE,
        title="Mask R-CNN on Penn-Fudan from the regime's backbones (ViT-mini p4, 120 epochs, 3 seeds)"),
    **{f'cifar10-{size}': Campaign(
        configs=configs_of('mocov3', 'cledi', setting=f'vit-mini-p4-cifar10-{size}'), epochs=(epochs, ), split='test',
        evaluations=('knn', 'finetune'), options=RECIPE + monitor, images=images, targets={},
        finetune_config=f'configs/benchmarks/finetune/vit-mini-p4_finetune-adamw-ld0.65-100e_cifar10-{size}.py',
        title=f'The data-size axis: {images:,} CIFAR-10 images (ViT-mini p4, {epochs} epochs, test split)')
       for size, images, epochs, monitor in (
           ('1k', 1000, 669, ('default_hooks.knn.interval=60', 'default_hooks.checkpoint.interval=30')),
           ('25k', 25000, 24, ()))},
}


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
        return f'random_seed{self.seed}' if self.method == RANDOM else f'{self.method}_e{self.epochs}_seed{self.seed}'

    def work_dir(self, state: str) -> str:
        return osp.join(state, self.campaign, self.name)


def runs_of(name: str, campaign: Campaign) -> List[Run]:
    """Seed-major order, so that a stopped campaign leaves whole seeds; random init once per seed."""
    runs = []
    for seed in campaign.seeds:
        for epochs in campaign.epochs:
            runs += [Run(name, method, seed, epochs) for method in campaign.configs]
        runs.append(Run(name, RANDOM, seed))
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


def declaration(campaign: Campaign, run: Run) -> dict:
    """What the campaign now declares for a pre-training, as its ``run.json`` records it."""
    return dict(config=campaign.configs[run.method], options=list(campaign.options))


def check_declaration(recorded: dict, declared: dict, where: str) -> None:
    """A pre-training recorded with another config or other options than the campaign now declares is refused
    (its numbers would be read as the new declaration's)."""
    changed = [key for key in declared if key in recorded and recorded[key] != declared[key]]
    if changed:
        raise MismatchError(f'{where} was made with another {" and ".join(changed)} than the campaign now declares ('
                            + '; '.join(f'{k}: {recorded[k]!r} -> {declared[k]!r}' for k in changed)
                            + '): delete it to run it again with the new declaration')


def pretrain(campaign: Campaign, run: Run, state: str, data_root: str, allow_mismatch: bool = False,
             wait: bool = True):
    """Start or continue one pre-training; returns the process when ``wait`` is False (None when finished)."""
    work_dir = run.work_dir(state)
    declared = declaration(campaign, run)
    if osp.isfile(osp.join(work_dir, 'run.json')):
        with open(osp.join(work_dir, 'run.json')) as f:
            check_declaration(json.load(f), declared, work_dir)
    if osp.isfile(osp.join(work_dir, f'epoch_{run.epochs}.pth')):
        return None
    recorded = check_identity(work_dir, allow_mismatch)
    os.makedirs(work_dir, exist_ok=True)
    resume = any(name.startswith('epoch_') for name in os.listdir(work_dir))
    info = dict(recorded, **declared, epochs=run.epochs, seed=run.seed,
                started=recorded.get('started', time.strftime('%Y-%m-%d %H:%M')))
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


def epochs_left(run: Run, state: str) -> int:
    """The epochs a pre-training still has to run: all of them, or those after the checkpoint ``--resume`` takes."""
    work_dir = run.work_dir(state)
    found = checkpoints_newest_first(work_dir) if osp.isdir(work_dir) else []
    return max(0, run.epochs - max(checkpoint_step(found[0]), 0)) if found else run.epochs


def work_units(kind: str, run: Run, state: str) -> int:
    """A task's work for the ETA: a pre-training's epochs left, one for an evaluation."""
    return epochs_left(run, state) if kind == 'pretrain' else 1


def kept_wall_seconds(work_dir: str) -> float:
    """The wall time of the training a run kept, from MMEngine's session logs (``TIMESTAMP/TIMESTAMP.log``).

    The kept chain is the last session that started from scratch and the sessions that continued it; each counts
    from its first logged line to the checkpoint the next session resumed from (the last one: to its last
    checkpoint). Minutes after that checkpoint were redone and are not counted, nor is Python's start-up before
    the first line, nor a session that neither resumed nor saved. 0 where no session saved a checkpoint.
    """
    line = re.compile(r'^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) - mmengine - INFO - '
                      r'(?:Saving checkpoint at (\d+) epochs|resumed epoch: (\d+))?')
    chain = []  # (start, {epoch: saved at}) of each session of the kept chain
    for session in sorted(os.listdir(work_dir)):
        log = osp.join(work_dir, session, f'{session}.log')
        if not osp.isfile(log):
            continue
        start, saves, resumed = None, {}, None
        with open(log) as f:
            for found in filter(None, map(line.match, f)):
                when = datetime.datetime.strptime(found.group(1), '%Y/%m/%d %H:%M:%S')
                start = start or when
                if found.group(2):
                    saves[int(found.group(2))] = when
                elif found.group(3):
                    resumed = int(found.group(3))
        if resumed is None and not saves:
            continue  # stopped before it resumed or saved anything: nothing kept, nothing dropped
        if resumed is None:
            chain = []  # trained from scratch: what came before was thrown away
        elif chain:
            previous_start, previous_saves = chain[-1]
            chain[-1] = previous_start, {e: t for e, t in previous_saves.items() if e <= resumed}
        chain.append((start, saves))
    return sum((max(saves.values()) - start).total_seconds() for start, saves in chain if saves)


def finish_pretrain(process, run: Run, work_dir: str, started: Optional[float] = None) -> None:
    started = time.time() if started is None else started
    if process.wait() != 0:
        raise SystemExit(f'[campaign] {run.name} failed (exit code {process.returncode}; see {work_dir}/train.out); '
                         'run the same command again to continue it from its last checkpoint')
    path = osp.join(work_dir, 'run.json')
    with open(path) as f:
        info = json.load(f)
    info['wall_s'] = kept_wall_seconds(work_dir) or info.get('wall_s', 0) + time.time() - started
    info['finished'] = time.strftime('%Y-%m-%d %H:%M')
    with open(path, 'w') as f:
        json.dump(info, f, indent=2)


def momentum_checkpoint(work_dir: str, epochs: int, method: str = 'cledi') -> str:
    """``momentum.pth`` beside the run: the teacher's backbone as ``backbone.*`` (and a CL-EDI detail part's pooling
    as ``detail.pool.*``), so every evaluation tool can score the teacher like a backbone. Where the teacher's
    backbone lies is the method's declared ``teacher_prefix`` (cledi: ``momentum_encoder.backbone.``; MMPretrain's
    MoCo v3: ``momentum_encoder.module.0.``, an EMA of ``Sequential(backbone, neck)``). An existing ``momentum.pth``
    without backbone weights is made again."""
    import torch

    from cledi.utils import load_checked
    out = osp.join(work_dir, 'momentum.pth')
    prefix = METHODS[method].teacher_prefix if method in METHODS else 'momentum_encoder.backbone.'
    if prefix is None:
        raise ValueError(f"method '{method}' has no teacher: drop the momentum evaluations of this campaign")

    def has_backbone(state_dict: dict) -> bool:
        return any(key.startswith('backbone.') for key in state_dict)

    if not osp.isfile(out) or not has_backbone(load_checked(out)['state_dict']):
        checkpoint = osp.join(work_dir, f'epoch_{epochs}.pth')
        state_dict = load_checked(checkpoint)['state_dict']
        weights = {}
        for source, target in ((prefix, 'backbone.'), ('momentum_encoder.detail_aggregator.', 'detail.pool.')):
            weights.update({target + k[len(source):]: v for k, v in state_dict.items() if k.startswith(source)})
        if not has_backbone(weights):
            raise ValueError(f'{checkpoint} has no teacher backbone (keys starting with {prefix}): declare the '
                             "method's teacher_prefix in cledi/benchmarks/methods.py, or drop the momentum evaluations")
        torch.save(dict(state_dict=weights), out + '.tmp')
        os.replace(out + '.tmp', out)
    return out


def evaluation_tasks(campaign: Campaign, run: Run, state: str) -> List[Tuple[str, List[str]]]:
    """(result file, command) of every evaluation of one run, in order."""
    work_dir = run.work_dir(state)
    config = campaign.configs.get(run.method) or next(iter(campaign.configs.values()))
    checkpoints = {'online': 'random' if run.method == RANDOM else osp.join(work_dir, f'epoch_{run.epochs}.pth')}
    if run.method != RANDOM and getattr(METHODS.get(run.method), 'teacher_prefix', '') is not None:
        checkpoints['momentum'] = 'momentum'  # the teacher's, made from the final checkpoint when its turn comes
    tasks = []
    for encoder, checkpoint in checkpoints.items():
        if 'knn' in campaign.evaluations:
            out = osp.join(work_dir, f'knn_{campaign.split}_{encoder}.json')
            tasks.append((out, ['tools/knn_eval.py', config, checkpoint, '--split', campaign.split, '--feature', 'cls',
                                'mean', 'cls+mean', '--linear', '--seed', str(run.seed), '--out', out,
                                '--similar-classes', campaign.data]))
        if 'dense' in campaign.evaluations:
            out = osp.join(work_dir, f'dense_{encoder}.json')
            tasks.append((out, ['tools/dense_probe.py', config, checkpoint, '--seed', str(run.seed), '--out', out]))
    if 'finetune' in campaign.evaluations:
        out = osp.join(work_dir, f'finetune_{campaign.split}.json')
        tasks.append((out, ['finetune', checkpoints['online']]))
    if 'detection' in campaign.evaluations:
        tasks.append((osp.join(work_dir, 'detection.json'), ['detection', checkpoints['online']]))
    return tasks


def run_evaluation(campaign: Campaign, run: Run, state: str, data_root: str, out: str, command: List[str]) -> None:
    work_dir = run.work_dir(state)
    os.makedirs(work_dir, exist_ok=True)
    if 'momentum' in command:
        command = [momentum_checkpoint(work_dir, run.epochs, run.method) if word == 'momentum' else word
                   for word in command]
    if command[0] == 'finetune':
        return finetune(campaign, run, state, data_root, command[1], out)
    if command[0] == 'detection':
        return detection(run, state, command[1], out)
    root = data_root if command[0] == 'tools/knn_eval.py' else default_data_root('pennfudan')
    cmd = [sys.executable, osp.join(ROOT, command[0]), *command[1:], '--data-root', root]
    print(f'[campaign] {run.name}: {" ".join(cmd)}', flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    if osp.basename(out).endswith('_momentum.json'):  # the tools saw a backbone file: say whose backbone it is
        label_teacher(out, osp.join(work_dir, f'epoch_{run.epochs}.pth'))


def label_teacher(path: str, checkpoint: str) -> None:
    """Mark an evaluation of ``momentum.pth`` as the teacher's (``momentum: true``) of ``checkpoint``."""
    with open(path) as f:
        result = json.load(f)
    result.update(momentum=True, teacher_of=checkpoint)
    with open(f'{path}.tmp', 'w') as f:
        json.dump(result, f, indent=2)
    os.replace(f'{path}.tmp', path)


def finetune(campaign: Campaign, run: Run, state: str, data_root: str, checkpoint: str, out: str) -> None:
    """The fine-tune protocol on the campaign's split (:func:`cledi.benchmarks.common.finetune_top1`)."""
    result = finetune_top1(None if checkpoint == 'random' else checkpoint,
                           osp.join(run.work_dir(state), f'finetune_{campaign.split}'), data_root, run.seed,
                           campaign.finetune_epochs, campaign.split, osp.join(state, 'val_holdout.txt'),
                           campaign.finetune_config, campaign.val_list)
    with open(out, 'w') as f:
        json.dump(result, f, indent=2)


def detection(run: Run, state: str, checkpoint: str, out: str) -> None:
    """Mask R-CNN on Penn-Fudan (``DETECTION_CONFIG``, its recipe fixed before these runs) from the run's backbone,
    random init from the run's seed, the detector's seed the run's: bbox and segm mAP (%) on Penn-Fudan val after
    the last epoch. A finished run is read, not run again; an interrupted one continues."""
    from mmengine.config import Config
    epochs = Config.fromfile(osp.join(ROOT, DETECTION_CONFIG)).train_cfg.max_epochs
    work_dir = osp.join(run.work_dir(state), 'detection')
    options = [f'model.backbone.init_cfg.checkpoint={None if checkpoint == "random" else checkpoint}',
               f'randomness.seed={run.seed}']
    run_or_resume(DETECTION_CONFIG, work_dir, f'epoch_{epochs}.pth', default_data_root('pennfudan'), None, options)
    last = [r for r in logged_scalars(osp.join(ROOT, work_dir)) if 'coco/bbox_mAP' in r and r.get('step') == epochs]
    if not last:
        raise SystemExit(f'{work_dir} has no COCO metrics after epoch {epochs}: delete the folder and run again')
    with open(out, 'w') as f:
        json.dump(dict(bbox_mAP=100 * last[-1]['coco/bbox_mAP'], segm_mAP=100 * last[-1]['coco/segm_mAP'],
                       config=DETECTION_CONFIG), f, indent=2)


def knn_curve(work_dir: str) -> Dict[int, float]:
    """{epoch: kNN top-1 (k=20)} of a pre-training's monitor (the one reader of it)."""
    return {int(r['epoch']): r['knn/top1_k20'] for r in logged_scalars(work_dir)
            if 'knn/top1_k20' in r and 'epoch' in r}


def collect(campaign: Campaign, run: Run, state: str) -> dict:
    """Everything measured on one run, for its committed JSON file."""
    work_dir = run.work_dir(state)
    result = dict(campaign=run.campaign, run=run.name, method=run.method, seed=run.seed, epochs=run.epochs,
                  split=campaign.split)
    if run.method != RANDOM:
        with open(osp.join(work_dir, 'run.json')) as f:
            result['pretrain'] = json.load(f)
        result['knn_curve_val'] = knn_curve(work_dir)  # the monitor's: CLS kNN on the val queries, every few epochs
    else:  # evaluations only: the code and machine that made them
        result['evaluated'] = identity()
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
    """Tasks done, the work left of each kind, and an ETA from the seconds per unit of work measured so far.

    A pre-training's work is counted in epochs (a 30-epoch run is a quarter of a 120-epoch one, a continued run
    only what is left of it), an evaluation's in tasks; ``defaults`` (this CPU, ViT-mini p4) stand in until a kind
    is measured.
    """
    total: int
    done: int = 0
    seconds: Dict[str, List[float]] = field(default_factory=dict)
    left: Dict[str, int] = field(default_factory=dict)  # kind -> work left (pre-training: epochs; else tasks)
    defaults = {'pretrain': 30.0, 'finetune': 600.0, 'eval': 90.0}  # s per pre-training epoch, s per task

    def add(self, kind: str, units: int = 1) -> None:
        self.left[kind] = self.left.get(kind, 0) + units

    def record(self, kind: str, seconds: float, units: int = 1) -> None:
        self.done += 1
        self.left[kind] = self.left.get(kind, units) - units
        if units > 0:
            self.seconds.setdefault(kind, []).append(seconds / units)

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
        if run.method != RANDOM:
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
        if run.name not in recorded:
            continue
        where = osp.join(results, name, f'{run.name}.json')
        if run.method != RANDOM:
            check_declaration(recorded[run.name]['pretrain'], declaration(campaign, run), where)
        stems = [osp.splitext(osp.basename(out))[0] for out, _ in evaluation_tasks(campaign, run, state)]
        missing = [stem for stem in stems if stem not in recorded[run.name]]
        if missing:
            raise MismatchError(f'{where} lacks {", ".join(missing)}, which the campaign now measures: delete it to '
                                f'run {run.name} again, pre-training included')
        done.append(run.name)
    return done


def run_campaign(name: str, campaign: Campaign, state: Optional[str] = None, data_root: Optional[str] = None,
                 allow_mismatch: bool = False, parallel: int = 1, status: bool = False,
                 results: str = RESULTS) -> Dict[str, dict]:
    """Run what is missing and save every finished run's results (``results/NAME/``); returns them (the tables are
    made from them by :func:`cledi.benchmarks.campaign_report.write_report`)."""
    state = state or state_root()
    data_root = data_root or default_data_root(campaign.data)
    committed = committed_runs(name, campaign, state, results)
    tasks = [task for task in plan(name, campaign, state) if task[1].name not in committed]
    if committed:
        print(f'[campaign] {len(committed)} run(s) recorded in {osp.join(results, name)} are not run again: '
              f'{", ".join(sorted(committed))}', flush=True)
    progress = Progress(total=len(tasks))
    for kind, run, result_file, _ in tasks:
        if osp.isfile(result_file):
            progress.done += 1
        else:
            progress.add(kind, work_units(kind, run, state))
    print(progress.line(next((f'{k} {r.name}' for k, r, o, _ in tasks if not osp.isfile(o)), 'nothing')), flush=True)
    if status:
        return {}
    if parallel > 1:  # pre-trainings side by side (several on one GPU), then the evaluations in turn
        pending = [run for kind, run, result_file, _ in tasks if kind == 'pretrain' and not osp.isfile(result_file)]
        while pending:
            batch, pending = pending[:parallel], pending[parallel:]
            epochs = [epochs_left(run, state) for run in batch]
            started = [pretrain(campaign, run, state, data_root, allow_mismatch, wait=False) for run in batch]
            for item, units in zip(started, epochs):
                if item:  # side by side: each run's epochs cost the batch's wall time shared between its runs
                    finish_pretrain(*item)
                    progress.record('pretrain', (time.time() - item[3]) / len(batch), units)
    for kind, run, result_file, command in tasks:
        if osp.isfile(result_file):
            continue
        print(progress.line(f'{kind} {run.name}'), flush=True)
        began, units = time.time(), work_units(kind, run, state)
        if kind == 'pretrain':
            pretrain(campaign, run, state, data_root, allow_mismatch)
        else:
            run_evaluation(campaign, run, state, data_root, result_file, command)
        progress.record(kind, time.time() - began, units)
        if all(osp.isfile(o) for _, r, o, _ in tasks if r.name == run.name):
            save_result(name, collect(campaign, run, state), results)  # as soon as the run is complete
    for run in runs_of(name, campaign):  # and every complete run (also those finished by an earlier invocation)
        if run.name not in committed and all(osp.isfile(o) for _, r, o, _ in tasks if r.name == run.name):
            save_result(name, collect(campaign, run, state), results)
    return load_results(name, results)
