"""What the benchmark scripts share: targets, the verdict rules, the val-query list, the recipe in words, the machine
they ran on, and the fine-tune protocol. The compared methods are declared in ``cledi.benchmarks.methods``. No
benchmark script imports another."""
import glob
import os
import os.path as osp
import platform
import statistics
import subprocess
import sys
import time
from typing import List, Optional, Sequence

from cledi.apis import REPO_ROOT as ROOT
from cledi.apis import default_data_root, load_config  # noqa: F401  (the one loader and data-root default)

# the targets of the detail-module protocol: CL-EDI - MoCo v3, mean of paired per-seed differences
TARGETS = {'knn': 2.0, 'linear': 1.5, 'finetune': 1.0, 'dense': 2.0, 'detection': 1.0}


def mean_std(values: Sequence[float], digits: int = 2) -> str:
    """``mean ± std`` (sample std) of a table cell; one value as it is; none as ``n/a``."""
    if not values:
        return 'n/a'
    if len(values) == 1:
        return f'{values[0]:.{digits}f}'
    return f'{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}'


MIN_SEEDS = 3  # a gap's verdict needs at least this many paired seeds (the project's rule)


def paired_gap(first: Sequence[float], second: Sequence[float], target: Optional[float] = None,
               digits: int = 2) -> str:
    """``**+g** (per seed: +a, +b, +c; target +T: reached)``: the mean of the per-seed paired differences first -
    second (the lists hold the same seeds in the same order). A target is reached when there are at least
    ``MIN_SEEDS`` seeds, the mean is at least the target and every seed's difference is positive; with fewer seeds
    the target is ``not read yet``."""
    if len(first) != len(second) or not first:
        raise ValueError(f'paired_gap needs the same seeds on both sides, got {len(first)} and {len(second)} values')
    differences = [a - b for a, b in zip(first, second)]
    gap = statistics.mean(differences)
    text = f'**{gap:+.{digits}f}** (per seed: {", ".join(f"{d:+.{digits}f}" for d in differences)}'
    if target is not None:
        text += verdict(f'{target:+.1f}', len(differences), gap >= target and all(d > 0 for d in differences))
    return text + ')'


def mean_level(values: Sequence[float], target: float, digits: int = 2) -> str:
    """``**m** (per seed: a, b, c; target >= T: reached)``: a level against an absolute target (e.g. MoCo v3's CLS
    kNN >= 50), by the same rule as a gap: reached when there are at least ``MIN_SEEDS`` seeds and the mean is at
    least the target; with fewer seeds ``not read yet``."""
    mean = statistics.mean(values)
    return (f'**{mean:.{digits}f}** (per seed: {", ".join(f"{v:.{digits}f}" for v in values)}'
            + verdict(f'>= {target:g}', len(values), mean >= target) + ')')


def verdict(target: str, seeds: int, met: bool) -> str:
    """The one wording of a target's verdict: not read below ``MIN_SEEDS`` seeds, else reached or not reached."""
    if seeds < MIN_SEEDS:
        return f'; target {target}: not read yet, {seeds} of {MIN_SEEDS} seeds'
    return f'; target {target}: {"reached" if met else "not reached"}'


SCREENING_FLOOR = -0.3  # the screening rule's worst seed (docs/benchmarks.md, tied-detail screening protocol)


def advances(differences: Sequence[float], floor: float = SCREENING_FLOOR) -> bool:
    """The screening rule of the tied-detail designs (docs/benchmarks.md, fixed before any run): a design advances
    when the mean of its paired differences is > 0 with no seed below ``floor``, or when the lower bound of the
    mean's two-sided 95 % t interval is > 0."""
    if len(differences) < 2:
        raise ValueError(f'the screening rule needs >= 2 paired seeds, got {len(differences)}')
    from scipy.stats import t
    mean = statistics.mean(differences)
    lower = mean - t.ppf(0.975, len(differences) - 1) * statistics.stdev(differences) / len(differences) ** 0.5
    return (mean > 0 and min(differences) >= floor) or lower > 0


SPLITS = osp.join(ROOT, 'configs', '_base_', 'datasets', 'cifar10_splits.py')


def write_holdout_list(data_root: str, out_path: str) -> str:
    """The val queries as a list file: the lines of ``meta/train.txt`` at the configs' ``val_indices``
    (configs/_base_/datasets/cifar10_splits.py: files 0500-0999 of every class, 5,000 images)."""
    from mmengine.config import Config
    indices = Config.fromfile(SPLITS).val_indices
    listing = osp.join(data_root, 'meta', 'train.txt')
    if not osp.isfile(listing):
        raise FileNotFoundError(f"'{listing}' does not exist: --data-root must be the CIFAR-10 folder copy with "
                                'meta/train.txt (e.g. ../shared/data/cifar10)')
    with open(listing) as f:
        every = f.readlines()
    if len(every) <= max(indices):
        raise RuntimeError(f'{data_root}/meta/train.txt has {len(every)} lines, the val queries need '
                           f'{max(indices) + 1}: is --data-root the CIFAR-10 folder copy?')
    lines = [every[i] for i in indices]
    os.makedirs(osp.dirname(osp.abspath(out_path)), exist_ok=True)
    tmp_path = f'{out_path}.{os.getpid()}.tmp'  # atomic: parallel invocations may write it at the same time
    with open(tmp_path, 'w') as f:
        f.writelines(lines)
    os.replace(tmp_path, out_path)
    return osp.abspath(out_path)


def local_views(cfg) -> int:
    """The multi-crop local views a loaded pre-training config makes per image (0: two global views only)."""
    return cfg.get('data_preprocessor', {}).get('num_local_views', 0)


def pretrain_recipe(cfg) -> str:
    """The pre-training recipe of a loaded config in words, read from the config (never retyped)."""
    optimizer, batch = cfg.optim_wrapper.optimizer, cfg.train_dataloader.batch_size
    scale = cfg.get('auto_scale_lr') or {}
    lr = (f'lr {optimizer.lr:g} per {scale.base_batch_size} images ({optimizer.lr * batch / scale.base_batch_size:g} '
          f'at batch {batch})' if scale.get('enable') else f'lr {optimizer.lr:g} at batch {batch}')
    model = cfg.model
    # MMPretrain's MoCoV3 counts 1 - m; a cledi teacher says m
    momentum = 1 - model.base_momentum if model.type == 'MoCoV3' else model.get('teacher', {}).get('momentum', 0.99)
    views = local_views(cfg)
    return (f'{optimizer.type}, {lr}, weight decay {optimizer.weight_decay:g}, warm-up + cosine over '
            f'{cfg.train_cfg.max_epochs} epochs, temperature {model.head.temperature:g}, EMA momentum {momentum:g} -> 1, '
            f'2 global views{f" + {views} local views" if views else ""}')


def machine() -> str:
    """One line for a table's caption: processor, cores, GPU or not, native bf16 or not."""
    import torch

    from cledi.engine.optimizers import cpu_has_native_bf16
    cpu = f'{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores'
    if torch.cuda.is_available():
        return f'{cpu}, {torch.cuda.get_device_name(0)}'
    bf16 = 'native bf16' if cpu_has_native_bf16() else 'no native bf16 (AVX2)'
    return f'{cpu} ({bf16}), no GPU'


def run_or_resume(config: str, work_dir: str, final: str, data_root: str, epochs: Optional[int] = None,
                  options: Sequence[str] = ()):
    """Train unless ``final`` exists; resume from the last checkpoint of an interrupted run. The training wall
    time, summed over interruptions, goes to ``work_dir/wall_time.txt``."""
    if osp.isfile(osp.join(ROOT, work_dir, final)):
        return
    resume = bool(glob.glob(osp.join(ROOT, work_dir, 'epoch_*.pth')))
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'train.py'), config, '--work-dir', work_dir, '--data-root',
           data_root, *(['--epochs', str(epochs)] if epochs else []), *(['--resume'] if resume else []),
           *(['--cfg-options', *options] if options else [])]
    print(f'[bench] {"resuming" if resume else "starting"} {work_dir}: {" ".join(cmd)}', flush=True)
    os.makedirs(osp.join(ROOT, work_dir), exist_ok=True)
    wall_file = osp.join(ROOT, work_dir, 'wall_time.txt')
    before = float(open(wall_file).read()) if resume and osp.isfile(wall_file) else 0.0
    began = time.time()
    train(cmd)
    with open(wall_file, 'w') as f:
        f.write(f'{before + time.time() - began:.0f}\n')


FINETUNE_CONFIG = 'configs/benchmarks/finetune/vit-mini-p4_finetune-adamw-ld0.65-100e_cifar10-10pct.py'


def finetune_top1(checkpoint: Optional[str], work_dir: str, data_root: str, seed: int, epochs: int = 30,
                  split: str = 'val', holdout: Optional[str] = None, config: str = FINETUNE_CONFIG,
                  val_list: Optional[str] = None) -> dict:
    """The fine-tune protocol (``config``'s recipe over ``epochs`` epochs) on the labelled pre-training images, from
    ``checkpoint`` (a pre-training checkpoint; None: random init from the seed), scored after its last epoch (never
    the best one) on the val queries (``val_list`` under the data root, or CIFAR-10's written to ``holdout``) or on the
    test split: ``dict(top1, top5, wall_s)``. A finished run is read, not run again; an interrupted one continues."""
    options = [f'model.backbone.init_cfg.checkpoint={checkpoint}', f'randomness.seed={seed}']
    if split == 'val':
        holdout = val_list or write_holdout_list(data_root, holdout or osp.join(ROOT, work_dir, 'val_holdout.txt'))
        options += [f'val_dataloader.dataset.ann_file={holdout}', 'val_dataloader.dataset.data_prefix=train']
    run_or_resume(config, work_dir, f'epoch_{epochs}.pth', data_root, epochs, options)
    work_dir = osp.join(ROOT, work_dir)
    last = [r for r in logged_scalars(work_dir) if 'accuracy/top1' in r and r.get('step') == epochs]
    if not last:
        raise SystemExit(f'{work_dir} has no accuracy after epoch {epochs}: delete the folder and run again')
    wall = osp.join(work_dir, 'wall_time.txt')
    return dict(top1=last[-1]['accuracy/top1'], top5=last[-1]['accuracy/top5'],
                wall_s=float(open(wall).read()) if osp.isfile(wall) else None)


def logged_scalars(work_dir: str) -> List[dict]:
    """The scalar records of a benchmark run, none for a run that logged nothing (its reader then says to delete
    the folder and run again, as for a run that stopped before its last metric)."""
    from cledi.visualization import read_scalars
    try:
        return read_scalars(work_dir)
    except FileNotFoundError:
        return []


def train(cmd: List[str]):
    """Run one tools/train.py command to its end (the tests replace it)."""
    subprocess.run(cmd, cwd=ROOT, check=True)
