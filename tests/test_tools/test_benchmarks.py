"""tools/benchmarks: the scripts import and parse their options; the held-out split is disjoint from training."""
import glob
import os.path as osp
import subprocess
import sys

import pytest

from ..conftest import REPO_ROOT

SCRIPTS = sorted(osp.basename(path) for path in glob.glob(osp.join(REPO_ROOT, 'tools', 'benchmarks', '[!_]*.py')))


@pytest.mark.parametrize('script', SCRIPTS)
def test_benchmark_script_starts(script):
    result = subprocess.run([sys.executable, osp.join(REPO_ROOT, 'tools', 'benchmarks', script), '--help'],
                            capture_output=True, text=True, cwd=REPO_ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'usage' in result.stdout


def test_holdout_split_is_disjoint_from_the_low_data_split(tmp_path, cifar10_root):
    from cledi.benchmarks import write_holdout_list
    from tools.benchmarks.lowdata_knn import parse_args, run_dir
    path = write_holdout_list(cifar10_root, str(tmp_path / 'val.txt'))
    holdout = [line.split()[0] for line in open(path)]
    train = {line.split()[0] for line in open(osp.join(cifar10_root, 'meta', 'train_10pct.txt'))}
    assert len(holdout) == len(set(holdout)) == 5000
    assert not set(holdout) & train
    assert all(osp.isfile(osp.join(cifar10_root, 'train', name)) for name in holdout[::250])
    assert {line.split()[1] for line in open(path)} == {str(c) for c in range(10)}
    # the configs' val_indices (into meta/train.txt) are files 0500-0999 of every class, as the docs say
    assert {int(osp.splitext(osp.basename(name))[0]) for name in holdout} == set(range(500, 1000))
    args = parse_args(['--val', '--epochs', '3', '--cledi-config', 'configs/ablations/x_10pct_agg-attn.py'])
    assert run_dir(args, 'cledi', 1).endswith('cledi-agg-attn_e3_seed1_val')
    assert run_dir(args, 'mocov3', 1).endswith('mocov3_e3_seed1_val')
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


def test_lowdata_feature_report_pairs_the_seeds_of_both_methods(tmp_path):
    import json
    from tools.benchmarks import lowdata_knn
    runs, out = tmp_path / 'runs', tmp_path / 'benchmarks.md'
    cls_knn = {'cledi': (40.0, 41.0), 'mocov3': (39.0, 41.5)}
    for method, values in cls_knn.items():
        for seed, knn in enumerate(values):
            run = runs / f'{method}_e3_seed{seed}'
            run.mkdir(parents=True)
            (run / 'epoch_3.pth').write_bytes(b'')  # only its presence is checked: every score below is cached
            scores = {f: dict(top1_k20=knn - 1, linear_top1=knn + 5) for f in ('mean', 'cls+mean')}
            scores['cls'] = dict(top1_k20=knn, linear_top1=knn + 10 * seed)
            for split in ('val', 'test'):
                (run / f'features_{split}.json').write_text(json.dumps(scores))
    for split in ('val', 'test'):
        random = {f: dict(top1_k20=30.0, linear_top1=35.0) for f in ('cls', 'mean', 'cls+mean')}
        (runs / f'random_features_{split}.json').write_text(json.dumps(random))
    lowdata_knn.main(['--work-root', str(runs), '--epochs', '3', '--seeds', '0', '1', '--feature-report',
                      '--out', str(out)])
    text = out.read_text()
    assert '| CL-EDI | test | 40.50 ± 0.71 |' in text and '| random init | val | 30.00 |' in text
    assert 'CL-EDI - MoCo v3 on test (mean of the per-seed paired differences):' in text
    assert '- kNN CLS: **+0.25** (per seed: +1.00, -0.50; target +2.0: not read yet, 2 of 3 seeds)' in text
    assert '- linear CLS: **+0.25** (per seed: +1.00, -0.50; target +1.5: not read yet, 2 of 3 seeds)' in text


def test_dense_probe_bench_reuses_finished_probes_and_names_a_missing_checkpoint(tmp_path):
    import json
    from tools.benchmarks import dense_probe_bench
    cache = tmp_path / 'runs' / 'dense_probe'
    cache.mkdir(parents=True)
    scores = {'cledi': (40.0, 44.0), 'mocov3': (39.0, 41.0), 'random': (30.0, 31.0)}
    for method, values in scores.items():
        for seed, miou in enumerate(values):
            name = f'random_seed{seed}_s128' if method == 'random' else f'{method}_e3_seed{seed}_s128'
            (cache / f'{name}.json').write_text(json.dumps(dict(mIoU=miou, iou_0=80.0, iou_1=miou - 20, pixel_acc=85.0)))
    out = tmp_path / 'benchmarks.md'
    dense_probe_bench.main(['--work-root', str(tmp_path / 'runs'), '--epochs', '3', '--seeds', '0', '1',
                            '--out', str(out)])  # every probe is cached: nothing is recomputed
    text = out.read_text()
    assert '| CL-EDI | 42.00 ± 2.83 |' in text and 'per seed: +1.00, +3.00' in text
    assert '**+2.00**' in text and 'target +2.0: not read yet, 2 of 3 seeds' in text
    with pytest.raises(SystemExit, match='cledi_e3_seed2/epoch_3.pth'):
        dense_probe_bench.main(['--work-root', str(tmp_path / 'runs'), '--epochs', '3', '--seeds', '2',
                                '--out', str(out)])


def test_dense_probe_bench_probes_the_in_domain_pretrainings_with_their_dumped_configs(tmp_path):
    import json
    from tools.benchmarks import dense_probe_bench
    runs, out = tmp_path / 'runs', tmp_path / 'benchmarks.md'
    (runs / 'dense_probe').mkdir(parents=True)
    for method, miou in (('cledi', 45.0), ('mocov3', 44.0), ('random', 35.0)):
        name = 'random_p8_seed0' if method == 'random' else f'pretrain_{method}_p8_seed0'
        result = dict(mIoU=miou, iou_0=80.0, iou_1=miou - 20, pixel_acc=85.0)
        (runs / 'dense_probe' / f'{name}_s192.json').write_text(json.dumps(result))
    dense_probe_bench.main(['--pretrain', 'pennfudan', '--work-root', str(runs), '--seeds', '0', '--out', str(out)])
    text = out.read_text()
    assert '<!-- dense-probe-pennfudan:start -->' in text and 'resized to 192 px' in text
    assert '| CL-EDI | 45.00 |' in text and 'per seed: +1.00' in text
    args = dense_probe_bench.parse_args(['--pretrain', 'pennfudan', '--work-root', str(runs), '--seeds', '1'])
    assert dense_probe_bench.checkpoint_of(args, 'mocov3', 1).endswith('pretrain_mocov3_p8_seed1/epoch_100.pth')
    with pytest.raises(SystemExit, match='pennfudan_transfer.py --work-root .* --seeds 1'):
        dense_probe_bench.main(['--pretrain', 'pennfudan', '--work-root', str(runs), '--seeds', '1',
                                '--out', str(out)])
    run_dir = runs / 'pretrain_cledi_p8_seed1'
    run_dir.mkdir()
    (run_dir / 'cledi_p8.py').write_text('# dumped by the Runner\n')
    assert dense_probe_bench.config_of(args, 'random', 1) == str(run_dir / 'cledi_p8.py')


def test_pennfudan_transfer_reads_finished_seeds_and_resumes_an_interrupted_one(tmp_path, monkeypatch):
    """Finished runs are read, not re-run; an interrupted run is resumed (--resume); the table has mean ± std over
    seeds and the two targets' verdicts."""
    import json
    from cledi.benchmarks import common
    from tools.benchmarks import pennfudan_transfer as bench
    work_root = tmp_path / 'runs'
    base = ['--work-root', str(work_root), '--epochs', '2', '--seeds', '0', '1', '--pretrain', 'cifar10',
            '--pretrain-root', str(tmp_path / 'pt'), '--pretrain-epochs', '3', '--out', str(tmp_path / 'b.md')]
    args = bench.parse_args(base)
    bbox = {'random init': (10.0, 12.0), 'MoCo v3': (15.0, 14.0), 'CL-EDI': (16.0, 18.0)}
    for name, values in bbox.items():
        if name != 'random init':
            for seed in (0, 1):
                checkpoint = tmp_path / 'pt' / f'{bench.METHOD_OF[name]}_e3_seed{seed}' / 'epoch_3.pth'
                checkpoint.parent.mkdir(parents=True)
                checkpoint.touch()
        for seed, value in enumerate(values):
            work_dir = tmp_path / bench.finetune_dir(args, name, seed)
            (work_dir / 'run' / 'vis_data').mkdir(parents=True)
            (work_dir / 'epoch_2.pth').touch()
            (work_dir / 'wall_time.txt').write_text('600\n')
            metrics = {'coco/bbox_mAP': value / 100, 'coco/bbox_mAP_50': 0.5, 'coco/segm_mAP': value / 200,
                       'coco/segm_mAP_50': 0.4}
            (work_dir / 'run' / 'vis_data' / 'scalars.json').write_text(json.dumps(metrics) + '\n')
    commands = []
    monkeypatch.setattr(common, 'train', commands.append)
    rows = bench.main(base)  # every run is finished: nothing is started
    assert commands == [] and [r['bbox_mAP'] for r in rows['CL-EDI']] == pytest.approx([16.0, 18.0])
    text = (tmp_path / 'b.md').read_text()
    assert '| CL-EDI | 17.0 ± 1.4 |' in text and '| 16.0, 18.0 |' in text and '10.0 min' in text
    # one rule, paired per seed: CL-EDI - random init +6.0 (6.0, 6.0); CL-EDI - MoCo v3 +2.5 (+1.0, +4.0)
    assert ('bbox mAP: CL-EDI - random init **+6.0** (per seed: +6.0, +6.0; target +0.0: not read yet, 2 of 3 seeds); '
            'CL-EDI - MoCo v3 **+2.5** (per seed: +1.0, +4.0; target +0.0: not read yet, 2 of 3 seeds).') in text

    # a mean lead with a negative seed is not reached (the old rule said "reached" from the mean alone)
    values = tmp_path / 'values.json'
    values.write_text(json.dumps({'source': 'test', 'random init': {'bbox_mAP': [1, 1, 1], 'segm_mAP': [1, 1, 1]},
                                  'MoCo v3': {'bbox_mAP': [10, 10, 10], 'segm_mAP': [1, 1, 1]},
                                  'CL-EDI': {'bbox_mAP': [12, 9, 12], 'segm_mAP': [1, 1, 1]}}))
    lines = bench.main(base + ['--verdicts', str(values)])
    assert lines[-2] == ('- bbox mAP: CL-EDI - random init **+10.0** (per seed: +11.0, +8.0, +11.0; target +0.0: '
                         'reached); CL-EDI - MoCo v3 **+1.0** (per seed: +2.0, -1.0, +2.0; target +0.0: not reached).')
    assert 'segm mAP: CL-EDI - random init **+0.0** (per seed: +0.0, +0.0, +0.0; target +0.0: not reached)' in lines[-1]

    interrupted = tmp_path / bench.finetune_dir(args, 'CL-EDI', 1)
    (interrupted / 'epoch_2.pth').rename(interrupted / 'epoch_1.pth')  # killed after epoch 1
    bench.main(base)  # the stand-in for training leaves the old metrics in place
    [command] = commands
    assert '--resume' in command and str(interrupted) in command
    assert 'model.backbone.init_cfg.checkpoint=' + osp.join(str(tmp_path / 'pt'), 'cledi_e3_seed1', 'epoch_3.pth') \
        in command


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


def test_lowdata_finetune_reads_finished_runs_resumes_an_interrupted_one_and_pairs_seeds(tmp_path, monkeypatch,
                                                                                           cifar10_root):
    import json
    from cledi.benchmarks import common
    from tools.benchmarks import lowdata_finetune as bench
    runs, out = tmp_path / 'runs', tmp_path / 'b.md'
    base = ['--work-root', str(runs), '--epochs', '3', '--seeds', '0', '1', '--finetune-epochs', '4',
            '--data-root', cifar10_root, '--out', str(out)]
    with pytest.raises(SystemExit, match=r'cledi_e3_seed0/epoch_3.pth.*lowdata_knn.py --work-root .* --seeds 0'):
        bench.main(base)  # no pre-training yet: named before anything is fine-tuned
    args = bench.parse_args(base)
    top1 = {'random': (50.0, 51.0), 'mocov3': (60.0, 62.0), 'cledi': (61.0, 62.5)}
    for init, values in top1.items():
        for seed, value in enumerate(values):
            if init != 'random':
                checkpoint = runs / f'{init}_e3_seed{seed}' / 'epoch_3.pth'
                checkpoint.parent.mkdir(parents=True)
                checkpoint.touch()
            work_dir = tmp_path / bench.finetune_dir(args, init, seed)
            (work_dir / 'run' / 'vis_data').mkdir(parents=True)
            (work_dir / 'epoch_4.pth').touch()
            (work_dir / 'wall_time.txt').write_text('300\n')
            records = [{'accuracy/top1': value - 5, 'accuracy/top5': 90.0, 'step': 2},  # not the last epoch
                       {'accuracy/top1': value, 'accuracy/top5': 95.0, 'step': 4}]
            (work_dir / 'run' / 'vis_data' / 'scalars.json').write_text('\n'.join(map(json.dumps, records)) + '\n')
    commands = []
    monkeypatch.setattr(common, 'train', commands.append)
    rows = bench.main(base)  # every run is finished: nothing is started
    assert commands == [] and [r['top1'] for r in rows['cledi']] == [61.0, 62.5]
    text = out.read_text()
    assert '<!-- lowdata-finetune:start -->' in text and '| CL-EDI | 61.75 ± 1.06 | 95.00 ± 0.00 | 61.00, 62.50 | 5.0 min |' in text
    assert ('CL-EDI - MoCo v3, top-1: **+0.75** (per seed: +1.00, +0.50; target +1.0: not read yet, 2 of 3 seeds).'
            in text)

    interrupted = tmp_path / bench.finetune_dir(args, 'mocov3', 1)
    (interrupted / 'epoch_4.pth').rename(interrupted / 'epoch_2.pth')  # killed after epoch 2
    with pytest.raises(SystemExit, match='random_seed0_ft4_val has no accuracy after epoch 4'):
        bench.main([*base, '--val'])  # the held-out split is a new set of runs; the stand-in trains nothing
    [command] = commands
    assert 'val_dataloader.dataset.data_prefix=train' in command and '--resume' not in command
    assert 'model.backbone.init_cfg.checkpoint=None' in command
    commands.clear()
    bench.main(base)  # the stand-in for training leaves the old records in place
    [command] = commands
    assert '--resume' in command and str(interrupted) in command
    assert 'model.backbone.init_cfg.checkpoint=' + str(runs / 'mocov3_e3_seed1' / 'epoch_3.pth') in command


def test_the_readme_table_is_copied_from_the_generated_sections(tmp_path):
    """Every cell of the README's results table comes from a generated section: the mean ± std cells and the
    paired gap with its verdict."""
    from cledi.benchmarks.readme import write_readme
    benchmarks = tmp_path / 'benchmarks.md'
    benchmarks.write_text('''<!-- lowdata-finetune:start -->
## Fine-tuning

| initialisation | top-1 | top-5 | per seed (top-1) | fine-tune wall time (median) |
|---|---|---|---|---|
| random init | 49.38 ± 0.18 | 92.27 ± 0.06 | 49.28, 49.27, 49.59 | 34.4 min |
| CL-EDI | 50.45 ± 0.12 | 92.56 ± 0.20 | 50.32, 50.51, 50.53 | 12.9 min |
| MoCo v3 | 49.91 ± 0.61 | 92.22 ± 0.15 | 49.43, 50.60, 49.69 | 13.3 min |

CL-EDI - MoCo v3, top-1: **+0.55** (per seed: +0.89, -0.09, +0.84; target +1.0: not reached).
<!-- lowdata-finetune:end -->
''')
    readme = tmp_path / 'README.md'
    readme.write_text('# x\n<!-- results:start -->\nold\n<!-- results:end -->\nrest\n')
    write_readme(str(readme), str(benchmarks))
    text = readme.read_text()
    assert ('| fine-tune top-1 (30 epochs), test | 49.38 ± 0.18 | 49.91 ± 0.61 | 50.45 ± 0.12 | +0.55 (+0.89, -0.09, '
            '+0.84), +1.0: **not reached** | `lowdata-finetune` |') in text
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
    assert block.startswith('The 12-epoch low-data regime') and 'has 1 of 3 seeds so far' in block
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
    """Two-view designs against MoCo v3, local-crop designs against MoCo v3 with the same two local views."""
    from tools.benchmarks.step_cost import BASELINE, CONFIGS
    assert BASELINE == {'cledi': 'mocov3', 'shared-head': 'mocov3', 'cls-pool': 'mocov3',
                        'local-cls': 'mocov3-mc2', 'local-region': 'mocov3-mc2'}
    assert CONFIGS['local-cls'].endswith('_local-cls.py') and 'mc2x16' in CONFIGS['mocov3-mc2']
