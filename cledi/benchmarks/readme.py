"""The README's results table, copied from the generated sections of docs/benchmarks.md (never typed by hand).

``python tools/benchmarks/campaign.py --readme`` rewrites the block between ``<!-- results:start -->`` and
``<!-- results:end -->`` of README.md: for each measure, the mean ± std of every initialisation and the paired
CL-EDI - MoCo v3 gap with its verdict, each cell taken from the section that produced it.
"""
import os.path as osp
import re
from typing import Dict, List, Optional

from cledi.benchmarks.campaign_report import reported_seeds
from cledi.benchmarks.common import MIN_SEEDS, ROOT
from cledi.benchmarks.methods import RANDOM, label

METHODS = tuple(label(method) for method in (RANDOM, 'mocov3', 'cledi'))  # the README table's columns


def section(text: str, key: str) -> Optional[str]:
    start, end = f'<!-- {key}:start -->', f'<!-- {key}:end -->'
    if start not in text or end not in text:
        return None
    return text[text.index(start):text.index(end)]


def table_rows(body: str) -> List[Dict[str, str]]:
    """The first markdown table of a section, as dicts keyed by its header cells."""
    lines = [line for line in body.splitlines() if line.startswith('|')]
    if len(lines) < 3:
        return []
    header = [cell.strip() for cell in lines[0].strip('|').split('|')]
    return [dict(zip(header, (cell.strip() for cell in line.strip('|').split('|')))) for line in lines[2:]]


def gap_line(body: str, label: str, after: str = '') -> Optional[str]:
    """The bold paired gap and its verdict from a line that starts with ``label`` (after the text ``after``)."""
    body = body[body.index(after):] if after and after in body else body
    match = re.search(re.escape(label) + r'[^*\n]*\*\*([+-][\d.]+)\*\* \(per seed: ([^;)]*)(?:; target ([^:]+): '
                      r'(reached|not reached|not read yet, \d+ of \d+ seeds))?\)', body)
    if not match:
        return None
    gap, seeds, target, verdict = match.groups()
    return f'{gap} ({seeds})' + (f', {target}: **{verdict}**' if target else '')


def campaign_rows(body: str, name: str) -> List[List[str]]:
    """The rows of a campaign's section ``body`` (its first budget's table)."""
    rows = []
    for row in table_rows(body):
        label = row.get('measure', '')
        if label.startswith('momentum') or 'n/a' in (row.get('MoCo v3'), row.get('CL-EDI')):
            continue
        gap_key = next((k for k in row if k.startswith('CL-EDI - MoCo v3')), None)
        gap = row.get(gap_key, 'n/a') if gap_key else 'n/a'
        rows.append([label, *[re.sub(r' \(.*\)$', '', row.get(m, 'n/a')) for m in METHODS], gap,
                     f'`campaign-{name}`'])
    return rows


def summary_line(rows: List[List[str]]) -> str:
    """What the table says CL-EDI does, read from its gap cells: the targets reached and not reached, and the
    measure with the largest paired gap."""
    reached, missed, gaps = [], [], []
    for row in rows:
        label, gap = row[0], row[4]
        verdict = re.search(r': \**(not reached|reached)\b', gap)
        if verdict:
            (reached if verdict.group(1) == 'reached' else missed).append(label)
        value = re.match(r'\**([+-][\d.]+)', gap)
        if value:
            gaps.append((float(value.group(1)), label, value.group(1)))
    if not gaps:
        return ''
    parts = ([f'reaches its target over MoCo v3 on {", ".join(reached)}'] if reached else []) + \
        ([f'does not reach it on {", ".join(missed)}'] if missed else [])
    largest = max(gaps)
    return (f'Read from the table: CL-EDI {" and ".join(parts) or "has no target here"}; its largest paired gap is '
            f'{largest[1]} ({largest[2]}).')


def screening_line(text: str, screen: str = 'detail-screen') -> str:
    """What the screening of the tied-detail designs decided, read from the verdict lines of its section
    (``- name: vs baseline **gap** (per seed: ...); ...: **advances**``); '' until every declared seed is in."""
    body = section(text, f'campaign-{screen}') or ''
    read = {}
    for name, readings, verdict in re.findall(r'^- ([^:\n]+): (.*): \*\*(advances|does not advance)\*\*$', body, re.M):
        gaps = ', '.join(f'{gap} vs {baseline}' for baseline, gap in
                         re.findall(r'vs ([^*;]+?) \*\*([+-][\d.]+)\*\*', readings))
        read[name] = (gaps, verdict == 'advances')
    designs = {name: value for name, value in read.items() if name not in METHODS}
    if not designs:
        return ''
    epochs = re.search(r'\((\d+) epochs', body)
    default = f'; the default CL-EDI there: {read["CL-EDI"][0]}' if 'CL-EDI' in read else ''
    advanced = [name for name, (_, passed) in designs.items() if passed]
    return (f'Tied-detail designs screened on the val queries (section `campaign-{screen}`'
            + (f', {epochs.group(1)} epochs' if epochs else '') + f', mean paired CLS kNN gap{default}): '
            + '; '.join(f'{name} {gaps}' for name, (gaps, _) in designs.items()) + '. '
            + (f'Advanced to the full regime: {", ".join(advanced)}.' if advanced else
               'None advanced, so the default stays CL-EDI as in the table.'))


def results_block(text: str, regime: str = 'regime') -> str:
    """The README's table: the long regime's rows once it has ``MIN_SEEDS`` paired seeds, else a line saying how
    many seeds it has so far."""
    body = section(text, f'campaign-{regime}') or ''
    done = reported_seeds(body)
    rows = campaign_rows(body, regime) if len(done) >= MIN_SEEDS else []
    caption = (f'The long low-data regime (campaign `{regime}` of docs/benchmarks.md, part 0: ViT-mini patch 4, '
               f'5,000 CIFAR-10 images, 120 epochs, seeds {", ".join(map(str, done))}, test split, bf16 on a 2-core '
               'CPU)')
    if not rows:
        return (f'The long low-data regime (campaign `{regime}` of docs/benchmarks.md, part 0) has {len(done)} of '
                f'{MIN_SEEDS} seeds so far; its table appears here at {MIN_SEEDS}.')
    lines = [caption + ':', '',
             '| measure | random init | MoCo v3 | CL-EDI | CL-EDI - MoCo v3, paired (per seed), target | section |',
             '|---|---|---|---|---|---|']
    lines += ['| ' + ' | '.join(row) + ' |' for row in rows]
    lines += ['', f'Mean ± std over seeds; a target counts as reached only where there are >= {MIN_SEEDS} paired '
              'seeds, the mean reaches it and every seed\'s difference is positive.'
              ' Generated by `python tools/benchmarks/campaign.py --readme` from the sections named.']
    summary = ' '.join(filter(None, (summary_line(rows), screening_line(text))))
    return '\n'.join(lines + (['', summary] if summary else []))


def read_block(path: str, key: str) -> str:
    """The lines between ``<!-- key:start -->`` and ``<!-- key:end -->`` of a file ('' when it has no such block)."""
    body = section(open(path).read(), key)
    return '' if body is None else body[len(f'<!-- {key}:start -->'):].strip('\n')


def replace_block(path: str, key: str, block: str) -> None:
    """Rewrite the lines between ``<!-- key:start -->`` and ``<!-- key:end -->`` of a file with ``block``."""
    content = open(path).read()
    start, end = f'<!-- {key}:start -->', f'<!-- {key}:end -->'
    if start not in content or end not in content:
        raise ValueError(f'{path} has no {start} ... {end} block to fill')
    content = content[:content.index(start) + len(start)] + '\n' + block + '\n' + content[content.index(end):]
    with open(path, 'w') as f:
        f.write(content)


def write_readme(readme: str = osp.join(ROOT, 'README.md'), benchmarks: str = osp.join(ROOT, 'docs', 'benchmarks.md'),
                 regime: str = 'regime') -> str:
    block = results_block(open(benchmarks).read(), regime)
    replace_block(readme, 'results', block)
    return block
