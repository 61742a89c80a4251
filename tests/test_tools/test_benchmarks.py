"""tools/benchmarks: the scripts import and parse their options; the held-out split is disjoint from training."""
import glob
import os.path as osp
import subprocess
import sys

import pytest

from ..conftest import REPO_ROOT

SCRIPTS = sorted(osp.basename(path) for path in glob.glob(osp.join(REPO_ROOT, 'tools', 'benchmarks', '[!_]*.py')))


@pytest.mark.parametrize('script', SCRIPTS)
def test_benchmark_script_starts_and_takes_the_options_its_docstring_shows(script):
    """``--help`` works, and every option of the command lines the script's docstring shows a user (``python
    tools/benchmarks/<script> ...``, continued lines included) is one the script accepts: docs and parser cannot
    drift apart."""
    import ast
    import re
    path = osp.join(REPO_ROOT, 'tools', 'benchmarks', script)
    usage, continued = [], False
    for line in ast.get_docstring(ast.parse(open(path).read())).splitlines():
        if continued or re.search(rf'python \S*{re.escape(script)}', line):
            usage.append(line)
        continued = bool(usage) and line.rstrip().endswith('\\') and (continued or line in usage)
    documented = set(re.findall(r'(?<![\w-])(--[a-z][a-z0-9-]*)', '\n'.join(usage)))
    result = subprocess.run([sys.executable, path, '--help'], capture_output=True, text=True, cwd=REPO_ROOT,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    accepted = set(re.findall(r'(?<![\w-])(--[a-z][a-z0-9-]*)', result.stdout))
    assert result.stdout.startswith('usage: ') and documented
    assert documented <= accepted, f'documented but not accepted: {sorted(documented - accepted)}'


def test_holdout_split_is_disjoint_from_the_low_data_split(tmp_path, cifar10_root):
    from cledi.benchmarks import write_holdout_list
    path = write_holdout_list(cifar10_root, str(tmp_path / 'val.txt'))
    holdout = [line.split()[0] for line in open(path)]
    train = {line.split()[0] for line in open(osp.join(cifar10_root, 'meta', 'train_10pct.txt'))}
    assert len(holdout) == len(set(holdout)) == 5000
    assert not set(holdout) & train
    assert all(osp.isfile(osp.join(cifar10_root, 'train', name)) for name in holdout[::250])
    assert {line.split()[1] for line in open(path)} == {str(c) for c in range(10)}
    # the configs' val_indices (into meta/train.txt) are files 0500-0999 of every class, as the docs say
    assert {int(osp.splitext(osp.basename(name))[0]) for name in holdout} == set(range(500, 1000))
    with pytest.raises(FileNotFoundError, match='--data-root'):
        write_holdout_list(osp.join(REPO_ROOT, 'tests', 'data_that_does_not_exist'), str(tmp_path / 'v.txt'))


def test_paired_gap_reads_a_target_on_the_mean_and_on_every_seed():
    from cledi.benchmarks import paired_gap
    assert paired_gap([40.0, 43.0, 41.5], [38.0, 40.5, 39.0], target=2.0) == \
        '**+2.33** (per seed: +2.00, +2.50, +2.50; target +2.0: reached)'
    # the mean reaches the target but one seed goes the other way: not reached
    assert paired_gap([45.0, 37.0, 40.0], [38.0, 37.5, 38.0], target=2.0).endswith(
        '(per seed: +7.00, -0.50, +2.00; target +2.0: not reached)')
    # fewer than 3 paired seeds: no verdict, whatever the numbers
    assert paired_gap([45.0, 47.0], [38.0, 37.5], target=2.0).endswith(
        '(per seed: +7.00, +9.50; target +2.0: not read yet, 2 of 3 seeds)')
    assert paired_gap([1.0], [0.25], digits=1) == '**+0.8** (per seed: +0.8)'
    with pytest.raises(ValueError, match='same seeds'):
        paired_gap([1.0, 2.0], [1.0])


def test_a_level_target_is_read_by_the_same_rule():
    from cledi.benchmarks.common import mean_level
    assert mean_level([50.94, 49.5, 50.1], 50) == '**50.18** (per seed: 50.94, 49.50, 50.10; target >= 50: reached)'
    assert mean_level([50.94, 48.5, 50.1], 50).endswith('target >= 50: not reached)')  # mean 49.85
    assert mean_level([50.94], 50) == '**50.94** (per seed: 50.94; target >= 50: not read yet, 1 of 3 seeds)'


def test_the_screening_rule_reads_the_mean_the_worst_seed_and_the_t_interval():
    from cledi.benchmarks import advances
    assert advances([0.5, 0.2, -0.2])  # mean +0.17, no seed below -0.3
    # mean +0.10 but one seed at -0.4; its 95 % interval: 0.10 -+ 4.303 * 0.458 / sqrt(3) = [-1.04, +1.24]
    assert not advances([0.5, 0.2, -0.4])
    # a seed below -0.3, but the interval of five seeds clears 0: 2.32 - 2.776 * 1.5205 / sqrt(5) = +0.43
    assert advances([3.0, 3.0, 3.0, 3.0, -0.4])
    assert not advances([-0.1, -0.2, -0.3]) and not advances([0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match='>= 2 paired seeds'):
        advances([1.0])


def test_roi_align_speed_times_three_implementations_of_one_function(pennfudan_root):
    pytest.importorskip('mmcv.ops', reason="mmcv's compiled ops are not installed (bash tools/install.sh --detection)")
    from tools.benchmarks import roi_align_speed
    median, max_diff = roi_align_speed.main(['--rounds', '1', '--iters', '1', '--no-write', '--data-root',
                                             pennfudan_root])
    assert set(median) == {'mmcv', 'torchvision', 'cledi SeparableRoIAlign'}
    assert all(t > 0 for t in median.values())
    assert max(max_diff.values()) < 1e-4
    with pytest.raises(SystemExit, match='annotations/train.json'):
        roi_align_speed.main(['--no-write', '--data-root', '/nonexistent'])


def test_the_readme_table_is_copied_from_the_generated_sections(tmp_path):
    """Every cell of the README's results table comes from the regime's generated section: the mean ± std cells
    (their per-seed brackets dropped) and the paired gap with its verdict; momentum-encoder rows stay out."""
    from cledi.benchmarks.readme import write_readme
    benchmarks = tmp_path / 'benchmarks.md'
    benchmarks.write_text('''<!-- campaign-regime:start -->
## The long low-data regime

| measure | random init | MoCo v3 | CL-EDI | CL-EDI - MoCo v3 (paired) | MoCo v3 - random init (paired) |
|---|---|---|---|---|---|
| fine-tune top-1 | 49.39 ± 0.23 (49.50, 49.55, 49.13) | 58.90 ± 0.13 (59.14, 58.97, 58.25) | 59.97 ± 0.38 (60.58, 59.93, 59.07) | **+1.07** (per seed: +1.44, +0.96, +0.82; target +1.0: reached) | **+9.51** (per seed: +9.64, +9.42, +9.12) |
| momentum encoder: CLS kNN | 30.00 (30.00, 30.00, 30.00) | 50.00 (50.00, 50.00, 50.00) | 51.00 (51.00, 51.00, 51.00) | **+1.00** (per seed: +1.00, +1.00, +1.00) | n/a |

Seeds 0, 1, 2 (paired: seed s pre-trains every method and fine-tunes every initialisation)
<!-- campaign-regime:end -->
''')
    readme = tmp_path / 'README.md'
    readme.write_text('# x\n<!-- results:start -->\nold\n<!-- results:end -->\nrest\n')
    write_readme(str(readme), str(benchmarks))
    text = readme.read_text()
    assert ('| fine-tune top-1 | 49.39 ± 0.23 | 58.90 ± 0.13 | 59.97 ± 0.38 | **+1.07** (per seed: +1.44, +0.96, '
            '+0.82; target +1.0: reached) | `campaign-regime` |') in text
    assert 'momentum encoder' not in text
    assert 'old' not in text and text.endswith('<!-- results:end -->\nrest\n')


def test_the_readme_says_what_the_screening_decided_once_it_is_read():
    """The README's sentence on the tied-detail designs is read from the screening's verdict lines, every
    reading of a design kept; while the rule waits for its seeds there is no sentence."""
    from cledi.benchmarks.readme import screening_line
    body = ('<!-- campaign-detail-screen:start -->\n## Tied detail designs: screening at the proxy budget (30 epochs, '
            'seeds 0-2, val queries)\n\n'
            '- CL-EDI: vs MoCo v3 **-0.87** (per seed: -1.14, -0.60, -0.87): **does not advance**\n'
            '- shared-head: vs MoCo v3 **+0.40** (per seed: +0.30, +0.50, +0.40): **advances**\n'
            '- local-cls: vs multi-crop MoCo v3 **-0.31** (per seed: -0.62, +0.00, -0.31); vs MoCo v3 **-1.42** (per seed: '
            '-2.76, -0.08, -1.42): **does not advance**\n<!-- campaign-detail-screen:end -->\n')
    assert screening_line(body) == (
        'Tied-detail designs screened on the val queries (section `campaign-detail-screen`, 30 epochs, mean paired '
        'CLS kNN gap; the default CL-EDI there: -0.87 vs MoCo v3): shared-head +0.40 vs MoCo v3; local-cls -0.31 vs '
        'multi-crop MoCo v3, -1.42 vs MoCo v3. Advanced to the full regime: shared-head.')
    waiting = body.replace('**advances**', '**not read yet (2 of the 3 declared paired seeds)**').replace(
        '**does not advance**', '**not read yet (2 of the 3 declared paired seeds)**')
    assert screening_line(waiting) == ''


def test_first_run_keeps_one_timing_paragraph_per_machine(tmp_path):
    from cledi.benchmarks.readme import read_block, replace_block
    from tools.benchmarks.first_run import merge_machine_line
    readme = tmp_path / 'README.md'
    readme.write_text('# x\n<!-- timings:start -->\nMeasured on fresh clones (A, 2026-12-01): 3.4 min.\n'
                      '<!-- timings:end -->\nafter\n')
    block = read_block(str(readme), 'timings')
    assert block == 'Measured on fresh clones (A, 2026-12-01): 3.4 min.'
    merged = merge_machine_line(block, 'Measured on fresh clones (B, 2026-12-02): 9.0 min.', 'B')
    assert merged == ('Measured on fresh clones (A, 2026-12-01): 3.4 min.\n\n'
                      'Measured on fresh clones (B, 2026-12-02): 9.0 min.')
    again = merge_machine_line(merged, 'Measured on fresh clones (A, 2026-12-03): 3.1 min.', 'A')
    assert again == ('Measured on fresh clones (B, 2026-12-02): 9.0 min.\n\n'
                     'Measured on fresh clones (A, 2026-12-03): 3.1 min.')
    replace_block(str(readme), 'timings', again)
    assert readme.read_text().endswith('3.1 min.\n<!-- timings:end -->\nafter\n')
    assert read_block(str(readme), 'timings') == again


def test_recipe_points_are_read_by_the_one_point_threshold():
    from tools.benchmarks.recipe_search import point_verdict
    assert point_verdict('p2-lr2x', 'p0-base', 1.01, True) == 'kept'
    assert point_verdict('p2-lr2x', 'p0-base', 1.0, True) == 'not kept'
    assert point_verdict('p0-again', 'p0-base', -0.4, False) == 'the machine'
    assert point_verdict('f2-lr2x-120', 'f1-base-120', 1.5, True) == 'f2-lr2x-120 chosen'
    assert point_verdict('f2-lr2x-120', 'f1-base-120', -1.2, True) == 'f1-base-120 chosen'
    assert point_verdict('f2-lr2x-120', 'f1-base-120', 0.9, True) == 'tie: the val fine-tune decides'
    assert point_verdict('f2-lr2x-120', 'f1-base-120', -0.9, True, 0.4) == \
        'tie, val fine-tune +0.40: f2-lr2x-120 chosen'
    assert point_verdict('f2-lr2x-120', 'f1-base-120', 0.9, True, 0.0) == \
        'tie, val fine-tune +0.00: f1-base-120 chosen'
    assert point_verdict('f2-lr2x-120', 'f1-base-120', 1.2, True, -3.0) == 'f2-lr2x-120 chosen'  # kNN decides
    assert point_verdict('f2-lr2x-120', 'f1-base-120', 3.0, False).startswith('another kind of machine')


def test_the_readme_moves_to_the_regime_rows_only_with_three_seeds():
    from cledi.benchmarks.readme import results_block

    def regime(seeds: str) -> str:
        return '\n'.join([
            '<!-- campaign-regime:start -->',
            '| measure | random init | MoCo v3 | CL-EDI | CL-EDI - MoCo v3 (paired) | MoCo v3 - random init (paired) |',
            '|---|---|---|---|---|---|',
            '| CLS kNN top-1 | 30.00 (30.00) | 51.00 (51.00) | 52.00 (52.00) | **+1.00** (per seed: +1.00) | n/a |',
            '', f'Seeds {seeds} (paired: seed s pre-trains every method)', '<!-- campaign-regime:end -->'])

    block = results_block(regime('0'))
    assert block == ('The long low-data regime (campaign `regime` of docs/benchmarks.md, part 0) has 1 of 3 seeds '
                     'so far; its table appears here at 3.')
    block = results_block(regime('0, 1, 2'))
    assert block.startswith('The long low-data regime')
    assert '| CLS kNN top-1 | 30.00 | 51.00 | 52.00 | **+1.00** (per seed: +1.00) | `campaign-regime` |' in block


def test_the_readme_says_which_targets_the_table_reaches():
    from cledi.benchmarks.readme import summary_line
    rows = [['CLS kNN', '50', '51', '52', '**+0.66** (per seed: +0.32, +1.00; target +2.0: not reached)', 's'],
            ['fine-tune', '49', '58', '59', '**+1.07** (per seed: +1.44, +0.82; target +1.0: reached)', 's'],
            ['kNN, mean of patches', '30', '48', '51', '**+3.03** (per seed: +2.12, +4.57)', 's'],
            ['dense', '51', '60', '61', '-0.20 (-0.38, +0.02), +2.0: **not reached**', 's'],  # a 12-epoch row
            ['detection', '1', '2', '3', 'n/a', 's']]
    assert summary_line(rows) == ('Read from the table: CL-EDI reaches its target over MoCo v3 on fine-tune and does '
                                  'not reach it on CLS kNN, dense; its largest paired gap is kNN, mean of patches '
                                  '(+3.03).')
    assert summary_line([rows[-1]]) == ''


def test_step_cost_pairs_each_design_with_the_baseline_that_has_its_views():
    """Two-view designs against MoCo v3, local-crop designs against MoCo v3 with the same two local views: the
    baselines declared with the methods."""
    from tools.benchmarks.step_cost import BASELINE, CONFIGS
    assert BASELINE == {'cledi': 'mocov3', 'shared-head': 'mocov3', 'cls-pool': 'mocov3',
                        'local-cls': 'mocov3-mc2', 'local-region': 'mocov3-mc2', 'dino': 'mocov3', 'ibot': 'mocov3',
                        'mae': 'mocov3', 'dino-detail': 'dino'}
    assert CONFIGS['local-cls'].endswith('_local-cls.py') and 'mc2x16' in CONFIGS['mocov3-mc2']


def test_the_data_size_axis_reads_the_paired_gaps_of_its_three_campaigns(tmp_path):
    """Hand-made records of the three sizes (3 seeds): the table's gaps, and the sentence saying whether the CLS
    kNN gap grows as the data shrink (here +3.00, +1.00, +0.50: it does; swapping two sizes: it does not)."""
    from cledi.benchmarks.campaign_report import size_axis_report

    def campaign(gap, base=40.0):
        return {f'{m}_{s}': dict(run=f'{m}_{s}', method=m, seed=s, epochs=1,
                                 knn_test_online=dict(cls=dict(top1_k20=base + s + (gap if m == 'cledi' else 0))),
                                 finetune_test=dict(top1=50.0 + s + (gap / 2 if m == 'cledi' else 0)))
                for m in ('mocov3', 'cledi') for s in range(3)}

    out = tmp_path / 'benchmarks.md'
    text = size_axis_report({'cifar10-1k': campaign(3.0), 'regime': campaign(1.0), 'cifar10-25k': campaign(0.5)},
                            str(out))
    assert '| 1,000 | CLS kNN top-1 (k=20) | 41.00 ± 1.00 | 44.00 ± 1.00 | **+3.00** (per seed: +3.00, +3.00, +3.00) |' \
        in text
    assert '| 25,000 | fine-tune top-1 | 51.00 ± 1.00 | 51.25 ± 1.00 | **+0.25** (per seed: +0.25, +0.25, +0.25) |' \
        in text
    assert text.endswith('![CLS kNN and fine-tune against the training images](figures/data-size-axis.png)')
    assert ('the mean paired CLS kNN gap is +3.00 at 1,000, +1.00 at 5,000, +0.50 at 25,000 images: it grows as the '
            'data shrink.') in text
    assert (tmp_path / 'figures' / 'data-size-axis.png').is_file() and '<!-- data-size-axis:start -->' in out.read_text()
    swapped = size_axis_report({'cifar10-1k': campaign(1.0), 'regime': campaign(3.0), 'cifar10-25k': campaign(0.5)},
                               str(out))
    assert 'does not grow steadily as the data shrink.' in swapped
