"""The tables of a campaign (cledi/benchmarks/campaign.py), made from its committed per-run JSON files only: every
measure per method (mean ± std and the seeds), the paired differences with their verdicts (the detail targets by
:func:`paired_gap`, a screening by :func:`advances`), the regime's targets, and the accuracy-vs-budget figure."""
import os.path as osp
import re
import statistics
from typing import Dict, List, Optional, Sequence

from cledi.benchmarks.campaign import CAMPAIGNS, Campaign
from cledi.benchmarks.common import (MIN_SEEDS, ROOT, SCREENING_FLOOR, TARGETS, advances, load_config, local_views,
                                     mean_level, mean_std, paired_gap, pretrain_recipe)
from cledi.benchmarks.methods import RANDOM
from cledi.benchmarks.methods import label as method_name
from cledi.benchmarks.report import write_section

METRICS = [  # label, result file stem ({split} filled in), path into it, target of CL-EDI - MoCo v3
    ('CLS kNN top-1 (k=20)', 'knn_{split}_online', ('cls', 'top1_k20'), 'knn'),
    ('linear probe, CLS', 'knn_{split}_online', ('cls', 'linear_top1'), 'linear'),
    ('fine-tune top-1', 'finetune_{split}', ('top1', ), 'finetune'),
    ('dense probe mIoU (Penn-Fudan val)', 'dense_online', ('mIoU', ), 'dense'),
    ('kNN, mean of patches', 'knn_{split}_online', ('mean', 'top1_k20'), None),
    ('kNN, CLS + mean', 'knn_{split}_online', ('cls+mean', 'top1_k20'), None),
    ('linear probe, CLS + mean', 'knn_{split}_online', ('cls+mean', 'linear_top1'), None),
    ('CLS kNN errors between similar classes (% of errors)', 'knn_{split}_online', ('cls', 'similar_error_share'),
     None),
    ('momentum encoder: CLS kNN', 'knn_{split}_momentum', ('cls', 'top1_k20'), None),
    ('momentum encoder: linear CLS', 'knn_{split}_momentum', ('cls', 'linear_top1'), None),
    ('momentum encoder: kNN, mean of patches', 'knn_{split}_momentum', ('mean', 'top1_k20'), None),
    ('momentum encoder: dense mIoU', 'dense_momentum', ('mIoU', ), None),
    ('Mask R-CNN bbox mAP (Penn-Fudan val)', 'detection', ('bbox_mAP', ), 'detection'),
    ('Mask R-CNN segm mAP (Penn-Fudan val)', 'detection', ('segm_mAP', ), None),
]
REGIME_TARGETS = {'CLS kNN top-1 (k=20)': ('mocov3', 50.0), 'fine-tune top-1': ('lift', 5.0)}


def metric(result: dict, stem: str, path: Sequence[str]) -> Optional[float]:
    value = result.get(stem)
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return float(value)


SEEDS_LINE = 'Seeds'  # the line of a campaign's table that names its paired seeds (read back by reported_seeds)


def reported_seeds(body: str) -> List[int]:
    """The paired seeds a campaign's section reports (its ``Seeds 0, 1, 2 (paired ...`` line); [] when none."""
    match = re.search(rf'^{SEEDS_LINE} ([\d, ]+) \(paired', body, re.MULTILINE)
    return [int(seed) for seed in match.group(1).split(',')] if match else []


def report_lines(name: str, campaign: Campaign, results: Dict[str, dict], epochs: int) -> List[str]:
    """The table of one budget: every measure per method (mean ± std, per seed) and the paired gaps."""
    methods = [RANDOM, *campaign.configs]
    rows = {m: {r['seed']: r for r in results.values() if r['method'] == m and (m == RANDOM or r['epochs'] == epochs)}
            for m in methods}
    seeds = sorted(set.intersection(*[set(rows[m]) for m in methods])) if all(rows.values()) else []
    first = next(iter(campaign.configs))
    # a pair reads the targets when its baseline is the first method, outside a screening (chosen on val, not judged)
    pairs = [(a, b, b == first and not campaign.screening) for a, b in campaign.pairs]
    header = ['measure', *[method_name(m) for m in methods],
              *[f'{method_name(a)} - {method_name(b)} (paired)' for a, b, _ in pairs]]
    table = []  # (measure, its cells: one per method, then one per pair)
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
        targets = TARGETS if campaign.targets is None else campaign.targets
        for a, b, tgt in ((a, b, targets.get(target) if target and with_target else None)
                          for a, b, with_target in pairs):
            if None in values[a] or None in values[b]:
                gaps.append('n/a')
                continue
            gaps.append(paired_gap(values[a], values[b], tgt))
        table.append((label, cells + gaps))
        if campaign.screening and label == METRICS[0][0]:
            verdicts += screening_lines(values, pairs, len(campaign.seeds))
        if label in REGIME_TARGETS and None not in values[first] and campaign.regime_targets:
            kind, level = REGIME_TARGETS[label]
            if kind == 'mocov3':
                verdicts.append(f'{method_name(first)} {label}: {mean_level(values[first], level)}')
            elif None not in values[RANDOM]:
                verdicts.append(f'{method_name(first)} - random init, {label}: '
                                f'{paired_gap(values[first], values[RANDOM], level)}')
    wall = [r['pretrain'].get('wall_s', 0) / 60 for m in campaign.configs for r in rows[m].values() if 'pretrain' in r]
    lines = markdown_table(header, table)
    tuned = ' and fine-tunes every initialisation' if 'finetune' in campaign.evaluations else ''
    lines += ['', f'{SEEDS_LINE} {", ".join(map(str, seeds)) or "none yet"} (paired: seed s pre-trains every method'
              f'{tuned}); per-seed values in brackets; a target is reached only where '
              f'there are >= {MIN_SEEDS} paired seeds, the mean reaches it and every seed is positive.']
    if wall:
        lines[-1] += f' Pre-training wall time {min(wall):.0f}-{max(wall):.0f} min per run.'
    if verdicts and campaign.screening:
        lines += ['', 'Screening rule (fixed before any run): a method advances when its mean paired CLS kNN '
                  f'difference is > 0 with no seed below {SCREENING_FLOOR}, or the lower bound of its 95 % t interval '
                  'is > 0, against every baseline it is paired with.', '', *verdicts]
    elif verdicts:
        lines += ['', 'Targets of the regime: ' + '; '.join(verdicts) + '.']
    return lines


def markdown_table(header: List[str], table: List[tuple]) -> List[str]:
    """``table`` (one row per measure, ``header`` naming its columns) as markdown, the longer of the two lists down
    the page: a screening of seven methods and seven pairs reads as one row per method or pair."""
    if table and len(header) - 1 > len(table):
        header, table = ['method', *[label for label, _ in table]], [
            (column, [cells[i] for _, cells in table]) for i, column in enumerate(header[1:])]
    return ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header),
            *[f'| {label} | ' + ' | '.join(cells) + ' |' for label, cells in table]]


def screening_lines(values: Dict[str, List[Optional[float]]], pairs, declared: int) -> List[str]:
    """One line per screened method: its paired CLS kNN differences and whether it advances (all pairs do). The
    rule is read once all ``declared`` seeds are in, never on a part of them (no stopping when a verdict looks good)."""
    lines = []
    for method in dict.fromkeys(a for a, _, _ in pairs):
        readings, advanced = [], True
        for a, b, _ in pairs:
            if a != method or None in values[a] or None in values[b]:
                continue
            differences = [x - y for x, y in zip(values[a], values[b])]
            advanced = advanced and len(differences) >= 2 and advances(differences)
            readings.append(f'vs {method_name(b)} {paired_gap(values[a], values[b])}')
        if readings:
            verdict = ('advances' if advanced else 'does not advance') if len(values[method]) >= declared else \
                f'not read yet ({len(values[method])} of the {declared} declared paired seeds)'
            lines.append(f'- {method_name(method)}: {"; ".join(readings)}: **{verdict}**')
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
    try:  # the recipe in words, read from the first config as the campaign runs it; multi-crop twins add views
        cfgs = {m: load_config(c, campaign.options, None, max(campaign.epochs)) for m, c in campaign.configs.items()}
        first = next(iter(cfgs))
        recipe = (f' Recipe ({method_name(first)}): {pretrain_recipe(cfgs[first])}'
                  + ('.' if len(campaign.epochs) == 1 else ' (shorter budgets: the same, over their own epochs).'))
        views = {m: local_views(cfg) for m, cfg in cfgs.items()}
        crops = [f'{method_name(m)} ({n})' for m, n in views.items() if n and n != views[first]]
        recipe += f' Local views as well: {", ".join(crops)}.' if crops else ''
    except Exception:  # noqa: BLE001 - a unit-sized test config may lack a field; the table stays
        pass
    measured = {'finetune': f'fine-tune {campaign.finetune_epochs} epochs on the {campaign.images:,} labelled images',
                'dense': 'dense probe on Penn-Fudan val'}
    protocol = ''.join(f'; {measured[e]}' for e in campaign.evaluations if e in measured)
    lines = [f'Command: `python tools/benchmarks/campaign.py {name}` (per-run results: `docs/results/{name}/`)', '',
             f'Configs {configs}; {campaign.split} split{protocol}. Runs made by '
             + '; '.join(f'commit {c} on {m} ({p})' for c, m, p in identities) + '.' + recipe if identities else
             f'Configs {configs}; no finished run yet.{recipe}']
    for epochs in campaign.epochs:
        lines += ['', f'**{epochs} pre-training epochs** ({epochs * campaign.images:,} images seen):', '']
        lines += report_lines(name, campaign, results, epochs)
    figure = budget_figure(name, campaign, results, osp.join(osp.dirname(out), 'figures', f'campaign-{name}.png'))
    if figure:
        lines += ['', f'![accuracy against the pre-training budget](figures/campaign-{name}.png)']
    text = '\n'.join(lines)
    write_section(out, f'campaign-{name}', campaign.title or f'Campaign {name}', text)
    return text


SIZE_AXIS = tuple((name, CAMPAIGNS[name].images) for name in ('cifar10-1k', 'regime', 'cifar10-25k'))
SIZE_MEASURES = (('CLS kNN top-1 (k=20)', 'knn_test_online', ('cls', 'top1_k20')),
                 ('fine-tune top-1', 'finetune_test', ('top1', )))


def size_axis_report(results: Dict[str, Dict[str, dict]], out: Optional[str] = None) -> str:
    """The data-size axis (issue 38): per training-set size, the paired CL-EDI - MoCo v3 gaps of CLS kNN and the
    fine-tune (``results[campaign] = its committed runs``), the figure (each seed a point, the gaps in a second row,
    log axis), and one generated line saying whether the CLS kNN gap grows as the data shrink."""
    from matplotlib.figure import Figure

    from cledi.visualization import save_figure
    out = out or osp.join(ROOT, 'docs', 'benchmarks.md')
    fig = Figure(figsize=(9, 6))
    axes = fig.subplots(2, len(SIZE_MEASURES), squeeze=False)
    lines = ['| training images | measure | MoCo v3 | CL-EDI | CL-EDI - MoCo v3 (paired) |', '|---|---|---|---|---|']
    knn_gaps = {}
    for column, (label, stem, path) in enumerate(SIZE_MEASURES):
        for name, images in SIZE_AXIS:
            runs = {m: {r['seed']: metric(r, stem, path) for r in results.get(name, {}).values() if r['method'] == m}
                    for m in ('mocov3', 'cledi')}
            seeds = sorted(s for s in set(runs['mocov3']) & set(runs['cledi'])
                           if None not in (runs['mocov3'][s], runs['cledi'][s]))
            if not seeds:
                continue
            values = {m: [runs[m][s] for s in seeds] for m in runs}
            gaps = [c - b for b, c in zip(values['mocov3'], values['cledi'])]
            for m, marker in (('mocov3', 'o'), ('cledi', 's')):
                labelled = method_name(m) in axes[0][column].get_legend_handles_labels()[1]
                axes[0][column].scatter([images] * len(seeds), values[m], marker=marker, s=14,
                                        label=None if labelled else method_name(m))
            axes[1][column].scatter([images] * len(seeds), gaps, s=14, color='k')
            lines.append(f'| {images:,} | {label} | {mean_std(values["mocov3"])} | {mean_std(values["cledi"])} | '
                         f'{paired_gap(values["cledi"], values["mocov3"])} |')
            if column == 0:
                knn_gaps[images] = statistics.mean(gaps)
        for row, title in ((0, label), (1, f'CL-EDI - MoCo v3, {label}')):
            axes[row][column].set_xscale('log')
            axes[row][column].set_title(title, fontsize=9)
            axes[row][column].set_xlabel('training images', fontsize=8)
            axes[row][column].grid(alpha=0.3)
        axes[1][column].axhline(0, color='grey', linewidth=0.8)
    axes[0][0].legend(fontsize=7)
    text = [f'Runs of the campaigns {", ".join(f"`{name}`" for name, _ in SIZE_AXIS)} (test split, the regime\'s 4,680 '
            'steps at every size), generated by `python tools/benchmarks/campaign.py --size-axis`.', '', *lines]
    if len(knn_gaps) == len(SIZE_AXIS):
        sizes = [images for _, images in SIZE_AXIS]
        grows = all(knn_gaps[a] > knn_gaps[b] for a, b in zip(sizes, sizes[1:]))
        text += ['', 'Read from the table: the mean paired CLS kNN gap is '
                 + ', '.join(f'{knn_gaps[s]:+.2f} at {s:,}' for s in sizes) + ' images: it '
                 + ('grows as the data shrink.' if grows else 'does not grow steadily as the data shrink.')]
    figure = save_figure(fig, osp.join(osp.dirname(out), 'figures', 'data-size-axis.png'))
    text += ['', f'![CLS kNN and fine-tune against the training images](figures/{osp.basename(figure)})']
    write_section(out, 'data-size-axis', 'The data-size axis: CL-EDI vs MoCo v3 at 1,000, 5,000 and 25,000 images',
                  '\n'.join(text))
    return '\n'.join(text)
