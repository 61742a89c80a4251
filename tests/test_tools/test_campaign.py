"""tools/benchmarks/campaign.py: a campaign continues a half-finished pre-training with the exact resume, skips
finished evaluations, refuses to resume on another engine, and its tables come from the per-run files."""
import json
import os
import os.path as osp
import shutil
import time

import pytest

from cledi.benchmarks import campaign as cp
from cledi.benchmarks import campaign_report

from ..conftest import REPO_ROOT, TINY_CLEDI_MODEL
from .test_train import write_tiny_config

MC_MOCOV3 = osp.join(REPO_ROOT, 'configs', 'mocov3', 'mocov3-views_vit-mini-p4_1xb128-mc4x16-coslr-200e_cifar10-10pct.py')
MC_CLEDI = osp.join(REPO_ROOT, 'configs', 'cledi', 'cledi_vit-mini-p4_1xb128-mc4x16-coslr-200e_cifar10-10pct.py')


@pytest.fixture
def tiny_campaign(tmp_path, cifar10_root, cifar10_subset):
    """The multi-crop twins shrunk to unit size (2 epochs of 8 iterations), kNN evaluations only."""
    configs = {method: write_tiny_config(tmp_path / f'{method}.py', cifar10_root, cifar10_subset, max_epochs=2,
                                         base=base, model=dict(TINY_CLEDI_MODEL))
               for method, base in (('mocov3-mc2', MC_MOCOV3), ('cledi', MC_CLEDI))}
    campaign = cp.Campaign(configs=configs, epochs=(2, ), seeds=(0, ), split='val', evaluations=('knn', ),
                           options=('default_hooks.knn.interval=2', 'data_preprocessor.num_local_views=2'))
    return campaign, str(tmp_path / 'state'), str(tmp_path / 'results'), str(tmp_path / 'benchmarks.md')


def test_a_campaign_continues_a_killed_run_and_skips_what_is_done(tiny_campaign, cifar10_root):
    campaign, state, results, out = tiny_campaign
    cledi = cp.Run('tiny', 'cledi', 0, 2)
    process, _, work_dir, _ = cp.pretrain(campaign, cledi, state, cifar10_root, wait=False)
    deadline = time.time() + 300
    while not osp.isfile(osp.join(work_dir, 'epoch_1.pth')) and time.time() < deadline:
        time.sleep(0.5)
    process.kill()  # killed during epoch 2
    process.wait()
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth')) and not osp.isfile(osp.join(work_dir, 'epoch_2.pth'))

    found = cp.run_campaign('tiny', campaign, state, cifar10_root, results=results)
    campaign_report.write_report('tiny', campaign, found, out)
    log = open(osp.join(work_dir, 'train.out')).read()
    assert 'resumed epoch: 1' in log  # MMEngine's resume message: continued from epoch 1, not started over
    assert sorted(found) == ['cledi_e2_seed0', 'mocov3-mc2_e2_seed0', 'random_seed0']
    assert set(found['cledi_e2_seed0']) >= {'knn_val_online', 'knn_val_momentum', 'knn_curve_val', 'pretrain'}
    # records say what they are: the teacher's evaluation, the monitor's split, who evaluated random init
    assert found['cledi_e2_seed0']['knn_val_momentum']['momentum'] is True
    assert found['cledi_e2_seed0']['knn_val_momentum']['teacher_of'].endswith('cledi_e2_seed0/epoch_2.pth')
    assert found['cledi_e2_seed0']['knn_val_online']['momentum'] is False
    assert found['random_seed0']['evaluated'] == cp.identity()
    assert found['cledi_e2_seed0']['pretrain']['commit'] == cp.source_commit()
    table = open(out).read()
    assert '<!-- campaign-tiny:start -->' in table
    # the table's cells are the records' numbers: random init, multi-crop MoCo v3, CL-EDI, then the paired gaps
    # (CL-EDI's declared baseline, MoCo v3, is not in this campaign: it is paired with the first method instead)
    row = next(line for line in table.splitlines() if line.startswith('| CLS kNN top-1 (k=20) |'))
    knn = [found[name]['knn_val_online']['cls']['top1_k20'] for name in
           ('random_seed0', 'mocov3-mc2_e2_seed0', 'cledi_e2_seed0')]
    cells = [cell.strip() for cell in row.strip('|').split('|')]
    assert cells[1:4] == [f'{value:.2f} ({value:.2f})' for value in knn]
    gap = knn[2] - knn[1]
    assert cells[4] == f'**{gap:+.2f}** (per seed: {gap:+.2f}; target +2.0: not read yet, 1 of 3 seeds)'
    assert cells[5] == f'**{knn[1] - knn[0]:+.2f}** (per seed: {knn[1] - knn[0]:+.2f})'  # MoCo v3 - random init

    done = {path: os.stat(path).st_mtime_ns for path in (osp.join(work_dir, 'knn_val_online.json'),
                                                         osp.join(work_dir, 'epoch_2.pth'))}
    # nothing left to do, also where nothing is recorded yet (another results folder): the run folders say so
    assert cp.run_campaign('tiny', campaign, state, cifar10_root, results=results + '-again') == found
    assert {path: os.stat(path).st_mtime_ns for path in done} == done
    # the tables come from the committed files alone
    assert cp.load_results('tiny', results) == found
    # on a fresh machine (run folders gone) the committed runs are not run again
    shutil.rmtree(state)
    assert cp.run_campaign('tiny', campaign, state, cifar10_root, results=results) == found
    assert not osp.exists(work_dir)
    # unless the declaration changed since they were recorded
    changed = cp.Campaign(**{**campaign.__dict__, 'options': (*campaign.options, 'optim_wrapper.optimizer.lr=1e-3')})
    with pytest.raises(cp.MismatchError, match=r'mocov3-mc2_e2_seed0.json was made with another options'):
        cp.run_campaign('tiny', changed, state, cifar10_root, results=results)


def test_a_run_is_not_continued_on_another_engine(tiny_campaign, cifar10_root, tmp_path):
    campaign, state, _, _ = tiny_campaign
    run = cp.Run('tiny', 'mocov3-mc2', 0, 2)
    work_dir = run.work_dir(state)
    os.makedirs(work_dir)
    open(osp.join(work_dir, 'epoch_1.pth'), 'wb').close()
    with open(osp.join(work_dir, 'run.json'), 'w') as f:
        json.dump(dict(cp.identity(), precision='fp32 (another machine)'), f)
    with pytest.raises(cp.MismatchError, match="would resume with another precision.*delete the folder"):
        cp.pretrain(campaign, run, state, cifar10_root)
    # same engine, but the campaign's declaration changed since the run started
    with open(osp.join(work_dir, 'run.json'), 'w') as f:
        json.dump(dict(cp.identity(), config=campaign.configs['mocov3-mc2'], epochs=2, seed=0,
                       options=['optim_wrapper.optimizer.lr=6e-4']), f)
    with pytest.raises(cp.MismatchError, match=r"made with another options .*lr=6e-4.*delete it"):
        cp.pretrain(campaign, run, state, cifar10_root)


def test_a_screening_campaign_reads_each_design_against_every_baseline_it_is_paired_with():
    # CLS kNN per seed; local-cls beats its multi-crop baseline on every seed but not the two-view one
    knn = {'mocov3': (40.0, 41.0, 42.0), 'shared-head': (40.5, 41.3, 41.8), 'mocov3-mc2': (37.0, 38.0, 38.5),
           'local-cls': (39.0, 40.0, 40.5), 'random': (30.0, 30.0, 30.0)}
    results = {f'{method}_{seed}': dict(run=f'{method}_{seed}', method=method, seed=seed, epochs=0 if method ==
                                        'random' else 30, knn_val_online=dict(cls=dict(top1_k20=values[seed])))
               for method, values in knn.items() for seed in range(3)}
    campaign = cp.Campaign(configs={m: f'{m}.py' for m in knn if m != 'random'}, epochs=(30, ), evaluations=('knn', ),
                           pairs=(('shared-head', 'mocov3'), ('local-cls', 'mocov3-mc2'), ('local-cls', 'mocov3')),
                           screening=True)
    lines = campaign_report.report_lines('screen', campaign, results, 30)
    # five methods and three pairs, one measure: one row per method or pair
    assert lines[:4] == ['| method | CLS kNN top-1 (k=20) |', '|---|---|',
                         '| random init | 30.00 ± 0.00 (30.00, 30.00, 30.00) |',
                         '| MoCo v3 | 41.00 ± 1.00 (40.00, 41.00, 42.00) |']
    assert lines[7:10] == ['| shared-head - MoCo v3 (paired) | **+0.20** (per seed: +0.50, +0.30, -0.20) |',
                           '| local-cls - multi-crop MoCo v3 (paired) | **+2.00** (per seed: +2.00, +2.00, +2.00) |',
                           '| local-cls - MoCo v3 (paired) | **-1.17** (per seed: -1.00, -1.00, -1.50) |']
    # shared-head: +0.5, +0.3, -0.2 (mean +0.20, worst -0.2): advances; local-cls: +2.0 each against mocov3-mc2, but
    # -1.0, -1.0, -1.5 against the two-view baseline: does not
    assert lines[-2:] == [
        '- shared-head: vs MoCo v3 **+0.20** (per seed: +0.50, +0.30, -0.20): **advances**',
        '- local-cls: vs multi-crop MoCo v3 **+2.00** (per seed: +2.00, +2.00, +2.00); vs MoCo v3 **-1.17** (per seed: '
        '-1.00, -1.00, -1.50): **does not advance**']
    assert not any(line.startswith('Targets of the regime') for line in lines)
    # one seed so far (a campaign half-way): the differences are shown, the rule is not read
    first_seed = campaign_report.report_lines('screen', campaign, {k: r for k, r in results.items() if r['seed'] == 0}, 30)
    assert first_seed[-2] == ('- shared-head: vs MoCo v3 **+0.50** (per seed: +0.50): **not read yet (1 of the 3 '
                              'declared paired seeds)**')
    # two of three: shared-head's +0.5, +0.3 would pass the rule, but it is read on the declared seeds only
    two = campaign_report.report_lines('screen', campaign, {k: r for k, r in results.items() if r['seed'] < 2}, 30)
    assert two[-2].endswith('(per seed: +0.50, +0.30): **not read yet (2 of the 3 declared paired seeds)**')


def test_a_confirmation_reads_the_targets_for_every_design_against_the_first_method_only():
    # CLS kNN per seed; shared-head +2.5, +2.0, +3.0 over MoCo v3 (mean +2.50 >= +2.0, all positive): reached
    knn = {'mocov3': (50.0, 51.0, 50.5), 'cledi': (51.0, 51.5, 51.0), 'shared-head': (52.5, 53.0, 53.5),
           'random': (30.0, 30.5, 30.0)}
    results = {f'{method}_{seed}': dict(run=f'{method}_{seed}', method=method, seed=seed, epochs=0 if method ==
                                        'random' else 120, knn_test_online=dict(cls=dict(top1_k20=values[seed])))
               for method, values in knn.items() for seed in range(3)}
    campaign = cp.Campaign(configs={m: f'{m}.py' for m in knn if m != 'random'}, epochs=(120, ), split='test',
                           evaluations=('knn', ), pairs=(('cledi', 'mocov3'), ('shared-head', 'mocov3'),
                                                         ('mocov3', 'random')))
    lines = campaign_report.report_lines('regime', campaign, results, 120)
    assert lines[6:9] == [  # after the header and the four methods, one row per pair
        '| CL-EDI - MoCo v3 (paired) | **+0.67** (per seed: +1.00, +0.50, +0.50; target +2.0: not reached) |',
        '| shared-head - MoCo v3 (paired) | **+2.50** (per seed: +2.50, +2.00, +3.00; target +2.0: reached) |',
        '| MoCo v3 - random init (paired) | **+20.33** (per seed: +20.00, +20.50, +20.50) |']


def test_a_campaign_header_names_only_what_it_measures_and_each_configs_local_views(tmp_path):
    identity = dict(commit='abc123', machine='a CPU', precision='fp32')
    screen = cp.CAMPAIGNS['detail-screen']
    results = {m: dict(run=m, method=m, seed=0, epochs=30, pretrain=identity,
                       knn_val_online=dict(cls=dict(top1_k20=40.0))) for m in screen.configs}
    results['random'] = dict(run='random_seed0', method='random', seed=0, epochs=0,
                             knn_val_online=dict(cls=dict(top1_k20=30.0)))
    text = campaign_report.write_report('detail-screen', screen, results, str(tmp_path / 'b.md')).splitlines()
    header = text[2]
    assert 'Seeds 0 (paired: seed s pre-trains every method); per-seed values in brackets;' in '\n'.join(text)
    # kNN only: no fine-tune or dense-probe protocol; the recipe is the first config's, the multi-crop twins' 2
    # local views are named
    assert header.endswith('; val split. Runs made by commit abc123 on a CPU (fp32). Recipe (MoCo v3): AdamW, lr '
                           '0.0012 per 256 images (0.0006 at batch 128), weight decay 0.1, warm-up + cosine over 30 '
                           'epochs, temperature 0.2, EMA momentum 0.99 -> 1, 2 global views. Local views as well: '
                           'multi-crop MoCo v3 (2), local-cls (2), local-region (2).')
    regime = cp.CAMPAIGNS['regime']
    header = campaign_report.write_report('regime', regime, {}, str(tmp_path / 'b.md')).splitlines()[2]
    assert header.startswith('Configs `') and 'no finished run yet' in header and 'Local views' not in header
    results = {m: dict(results['mocov3'], run=m, method=m, epochs=120) for m in regime.configs}
    results['random'] = dict(results['mocov3'], run='random_seed0', method='random', epochs=0)
    text = campaign_report.write_report('regime', regime, results, str(tmp_path / 'b.md'))
    header = text.splitlines()[2]
    assert 'Seeds 0 (paired: seed s pre-trains every method and fine-tunes every initialisation);' in text
    assert ('; test split; dense probe on Penn-Fudan val; fine-tune 30 epochs on the 5,000 labelled images. Runs '
            'made by commit abc123 on a CPU (fp32).') in header


def test_the_declared_campaigns_run_existing_configs_and_choose_on_val_only():
    for name, campaign in cp.CAMPAIGNS.items():
        assert all(osp.isfile(osp.join(REPO_ROOT, path)) for path in campaign.configs.values()), name
        assert not any('PLACEHOLDER' in option for option in campaign.options), name
    assert cp.CAMPAIGNS['regime'].split == 'test' and cp.CAMPAIGNS['regime-budget'].split == 'val'
    assert cp.CAMPAIGNS['detail-screen'].screening and cp.CAMPAIGNS['detail-screen'].split == 'val'
    with pytest.raises(ValueError, match='split must be val, never test'):
        cp.Campaign(configs={'a': 'a.py', 'b': 'b.py'}, epochs=(1, ), split='test', pairs=(('b', 'a'), ),
                    screening=True)
    with pytest.raises(ValueError, match='pairs name methods the campaign does not run: c'):
        cp.Campaign(configs={'a': 'a.py'}, epochs=(1, ), pairs=(('c', 'a'), ))


@pytest.mark.parametrize('method,config', [
    ('mocov3', osp.join(REPO_ROOT, 'configs', 'mocov3', 'mocov3_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py')),
    ('mocov3-mc2', MC_MOCOV3),  # cledi.CLEDI without a detail branch
])
def test_the_momentum_checkpoint_holds_the_momentum_backbone(method, config, tmp_path):
    """MMPretrain's MoCo v3 keeps its momentum backbone as ``momentum_encoder.module.0.*``, cledi as
    ``momentum_encoder.backbone.*`` (each method's declared ``teacher_prefix``): both become a ``backbone.*``
    checkpoint the evaluation tools load strictly."""
    import torch

    from cledi.apis import build_model, init_model, load_config
    model = build_model(load_config(config))
    with torch.no_grad():  # make the momentum encoder differ from the online one
        for parameter in model.momentum_encoder.parameters():
            parameter.add_(1.0)
    torch.save(dict(state_dict=model.state_dict()), tmp_path / 'epoch_1.pth')
    loaded = init_model(load_config(config), cp.momentum_checkpoint(str(tmp_path), 1, method))
    momentum = getattr(model.momentum_encoder, 'backbone', None) or model.momentum_encoder.module[0]
    for name, value in momentum.state_dict().items():
        assert torch.equal(loaded.backbone.state_dict()[name], value), name


def test_a_checkpoint_without_a_momentum_backbone_is_refused(tmp_path):
    import torch
    torch.save(dict(state_dict={'backbone.cls_token': torch.zeros(1)}), tmp_path / 'epoch_1.pth')
    with pytest.raises(ValueError, match='has no teacher backbone'):
        cp.momentum_checkpoint(str(tmp_path), 1)
    assert not (tmp_path / 'momentum.pth').exists()


def test_the_eta_counts_a_pre_training_in_the_epochs_it_has_left(tmp_path):
    # a 120-epoch run stopped after its epoch-95 checkpoint has 25 epochs left; an untouched 30-epoch run all 30
    stopped, fresh = cp.Run('c', 'mocov3', 1, 120), cp.Run('c', 'cledi', 1, 30)
    os.makedirs(stopped.work_dir(str(tmp_path)))
    with open(osp.join(stopped.work_dir(str(tmp_path)), 'last_checkpoint'), 'w') as f:
        f.write('/somewhere/c/mocov3_e120_seed1/epoch_95.pth')
    assert (cp.epochs_left(stopped, str(tmp_path)), cp.epochs_left(fresh, str(tmp_path))) == (25, 30)
    progress = cp.Progress(total=4)
    progress.add('pretrain', 25)
    progress.add('pretrain', 30)
    progress.add('eval', 2)
    assert progress.eta_hours() * 3600 == pytest.approx(55 * 30.0 + 2 * 90.0)  # the defaults: 30 s/epoch, 90 s/eval
    progress.record('pretrain', 1000.0, units=25)  # measured: 40 s/epoch; 30 epochs and 2 evaluations left
    assert progress.eta_hours() * 3600 == pytest.approx(30 * 40.0 + 2 * 90.0)
    assert progress.line('pretrain x') == '[campaign] 1/4 tasks done, 3 left (ETA 0.4 h); next: pretrain x'


def write_sessions(folder, sessions):
    for session, lines in sessions.items():
        os.makedirs(folder / session)
        (folder / session / f'{session}.log').write_text('\n'.join(
            f'2026/12/03 {clock} - mmengine - INFO - {text}' if clock else text for clock, text in lines) + '\n')


def test_the_wall_time_counts_only_the_training_a_run_kept(tmp_path):
    # session 1 saves epochs 90 and 95 and is stopped 2 min later; session 2 continues from epoch 95 and saves the
    # last checkpoint after 9 min 56 s: 39 min 15 s + 9 min 56 s kept, the 2 redone minutes not counted; a third
    # session that saved nothing adds nothing
    first = [('22:06:01', ''), ('22:41:00', 'Saving checkpoint at 90 epochs'),
             ('22:45:16', 'Saving checkpoint at 95 epochs'), ('22:47:12', 'Epoch(train) [100][20/39]')]
    sessions = {'20261203_220601': first,
                '20261203_230409': [('23:04:09', ''), ('23:04:15', 'resumed epoch: 95, iter: 3705'),
                                    (None, 'a continued line'), ('23:14:05', 'Saving checkpoint at 120 epochs')],
                '20261203_231500': [('23:15:00', '')]}
    write_sessions(tmp_path / 'a', sessions)
    assert cp.kept_wall_seconds(str(tmp_path / 'a')) == (39 * 60 + 15) + (9 * 60 + 56)
    # continued from epoch 90 instead (the epoch-95 checkpoint was unreadable): session 1 counts up to 22:41:00
    sessions['20261203_230409'][1] = ('23:04:15', 'resumed epoch: 90, iter: 3510')
    write_sessions(tmp_path / 'b', sessions)
    assert cp.kept_wall_seconds(str(tmp_path / 'b')) == (34 * 60 + 59) + (9 * 60 + 56)
    # a session that starts from scratch (no resume) drops everything before it
    write_sessions(tmp_path / 'c', {'20261203_220601': first,
                                    '20261203_230409': [('23:04:09', ''), ('23:30:09', 'Saving checkpoint at 5 epochs')]})
    assert cp.kept_wall_seconds(str(tmp_path / 'c')) == 26 * 60


def test_a_detection_evaluation_records_the_detectors_last_coco_metrics_in_percent(tmp_path):
    """A finished Mask R-CNN run (its final checkpoint there) is read, not run again: the record is its last logged
    COCO bbox / segm mAP, in percent."""
    import json as json_module
    campaign = cp.CAMPAIGNS['regime-detection']
    run = cp.Run('regime-detection', 'cledi', 1, 120)
    detector = tmp_path / 'state' / 'regime-detection' / 'cledi_e120_seed1' / 'detection'
    (detector / '20261207_120000' / 'vis_data').mkdir(parents=True)
    (detector / 'epoch_20.pth').write_bytes(b'finished')
    (detector / '20261207_120000' / 'vis_data' / 'scalars.json').write_text(
        '{"loss": 1.0, "step": 600}\n{"coco/bbox_mAP": 0.612, "coco/segm_mAP": 0.655, "step": 20}\n')
    [(out, command)] = cp.evaluation_tasks(campaign, run, str(tmp_path / 'state'))
    cp.run_evaluation(campaign, run, str(tmp_path / 'state'), '/nowhere', out, command)
    record = json_module.load(open(out))
    assert record['bbox_mAP'] == pytest.approx(61.2) and record['segm_mAP'] == pytest.approx(65.5)
    assert cp.DETECTION_CONFIG in record['config']
