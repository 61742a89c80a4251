"""Dense linear probe (Penn-Fudan person masks, val mIoU) of both methods' pre-trained checkpoints and random init.

    python tools/benchmarks/dense_probe_bench.py --work-root work_dirs/bench_fast --epochs 12 --seeds 0 1
        [--input-size 128] [--section dense-probe]
    python tools/benchmarks/dense_probe_bench.py --pretrain pennfudan --seeds 0 1 2     # [--input-size 192]

Checkpoints (``--pretrain``):
- ``cifar10`` (default): ``<work-root>/<method>_e<epochs>_seed<s>/epoch_<epochs>.pth`` of
  ``tools/benchmarks/lowdata_knn.py`` runs (patch 4, pre-trained at 32 px); probed at 128 px by default, where
  random init scores best (docs/benchmarks.md).
- ``pennfudan``: the in-domain pre-trainings of ``tools/benchmarks/pennfudan_transfer.py``,
  ``<work-root>/pretrain_<method>_p<patch>_seed<s>/epoch_100.pth`` (100 epochs on the 120 unlabelled training
  images), each with the config dumped in its work dir; probed at 192 px by default, the input size of the Mask
  R-CNN those backbones are fine-tuned in (fixed before any of these probes ran: the probe is to see what the
  detector's backbone sees).
Random init is the same ViT at the initial weights of each seed. One ``tools/dense_probe.py`` call per checkpoint;
every result is kept as ``<work-root>/dense_probe/<name>.json``, so an interrupted invocation resumes. Writes the
table (mean ± std over seeds, the per-seed CL-EDI - MoCo v3 differences) into ``docs/benchmarks.md``.
"""
import glob
import json
import os
import os.path as osp
import time

from cledi.apis import init_model, load_config, tool_parser
from cledi.benchmarks import (METHODS, MODELS, NAMES, PENNFUDAN_PRETRAIN_EPOCHS, ROOT, TARGETS, default_data_root,
                              lowdata_run_dir, machine, mean_std, paired_gap, pennfudan_pretrain_dir, write_section)
from cledi.evaluation.dense_probe import run_dense_probe

PRETRAIN = {
    'cifar10': dict(work_root='work_dirs/bench_lowdata_knn', input_size=128, section='dense-probe'),
    'pennfudan': dict(work_root='work_dirs/bench_pennfudan', input_size=192, section='dense-probe-pennfudan'),
}


def parse_args(argv=None):
    parser = tool_parser(__doc__)
    parser.add_argument('--pretrain', choices=sorted(PRETRAIN), default='cifar10',
                        help="cifar10: lowdata_knn.py's runs; pennfudan: pennfudan_transfer.py's in-domain "
                        'pre-trainings')
    parser.add_argument('--work-root', help='where the pre-training runs are (default: '
                        + ', '.join(f"{key}: {value['work_root']}" for key, value in PRETRAIN.items()) + ')')
    parser.add_argument('--epochs', type=int, default=12, help='--pretrain cifar10: which runs')
    parser.add_argument('--patch', type=int, default=8, help='--pretrain pennfudan: which runs')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    parser.add_argument('--model', choices=sorted(MODELS), default='vit-mini-p4', help='--pretrain cifar10')
    parser.add_argument('--input-size', type=int, help='probe input side (default: '
                        + ', '.join(f"{key}: {value['input_size']}" for key, value in PRETRAIN.items()) + ')')
    parser.add_argument('--data-root', default=default_data_root('pennfudan'))
    parser.add_argument('--section', help='docs section (default: '
                        + ', '.join(f"{key}: {value['section']}" for key, value in PRETRAIN.items()) + ')')
    parser.add_argument('--out', default='docs/benchmarks.md')
    args = parser.parse_args(argv)
    for key in ('work_root', 'input_size', 'section'):
        if getattr(args, key) is None:
            setattr(args, key, PRETRAIN[args.pretrain][key])
    return args


def run_dir(args, method, seed):
    if args.pretrain == 'pennfudan':
        return pennfudan_pretrain_dir(args.work_root, method, args.patch, seed)
    return lowdata_run_dir(args.work_root, method, args.epochs, seed)


def checkpoint_of(args, method, seed):
    if method == 'random':
        return 'random'
    epochs = PENNFUDAN_PRETRAIN_EPOCHS if args.pretrain == 'pennfudan' else args.epochs
    return osp.join(run_dir(args, method, seed), f'epoch_{epochs}.pth')


def config_of(args, method, seed):
    """The pre-training config: the model table's (cifar10), or the one dumped beside the checkpoint (pennfudan,
    whose runs override the patch size and crop on the command line). Random init takes CL-EDI's."""
    method = 'cledi' if method == 'random' else method
    if args.pretrain == 'cifar10':
        return osp.join(ROOT, MODELS[args.model][method])
    dumped = sorted(glob.glob(osp.join(run_dir(args, method, seed), '*.py')))
    if not dumped:
        raise SystemExit(f'no config dumped in {run_dir(args, method, seed)}: run '
                         f'tools/benchmarks/pennfudan_transfer.py --seeds {seed} first')
    return dumped[0]


def result_of(args, method, seed):
    if method != 'random':
        name = osp.basename(run_dir(args, method, seed))
    else:
        name = f'random_p{args.patch}_seed{seed}' if args.pretrain == 'pennfudan' else f'random_seed{seed}'
    return osp.join(args.work_root, 'dense_probe', f'{name}_s{args.input_size}.json')


def probe(args, method, seed):
    """The probe's numbers for one checkpoint (cached as JSON beside the runs)."""
    result = result_of(args, method, seed)
    if osp.isfile(result):
        with open(result) as f:
            return json.load(f)
    checkpoint = checkpoint_of(args, method, seed)
    os.makedirs(osp.dirname(result), exist_ok=True)
    model = init_model(load_config(config_of(args, method, seed)), checkpoint, seed)
    scores = run_dense_probe(model, args.data_root, args.input_size, seed=seed)
    with open(result, 'w') as f:
        json.dump(dict(scores, checkpoint=checkpoint, input_size=args.input_size), f, indent=2)
    return scores


def main(argv=None):
    args = parse_args(argv)
    start = time.time()
    missing = [checkpoint_of(args, m, s) for m in METHODS for s in args.seeds
               if not osp.isfile(result_of(args, m, s)) and not osp.isfile(checkpoint_of(args, m, s))]
    if missing:  # before any probe runs
        seeds = ' '.join(map(str, args.seeds))
        producer = (f'tools/benchmarks/pennfudan_transfer.py --work-root {args.work_root} --seeds {seeds}'
                    if args.pretrain == 'pennfudan' else
                    f'tools/benchmarks/lowdata_knn.py --work-root {args.work_root} --epochs {args.epochs} '
                    f'--seeds {seeds}')
        raise SystemExit(f"{', '.join(missing)} missing: run {producer} first")
    rows = {method: [probe(args, method, seed) for seed in args.seeds] for method in ('random', *METHODS)}
    names = dict(NAMES, random='random init')
    if args.pretrain == 'pennfudan':
        which = f'--pretrain pennfudan --work-root {args.work_root} --patch {args.patch}'
        source = (f'the {PENNFUDAN_PRETRAIN_EPOCHS}-epoch in-domain pre-trainings of `pennfudan_transfer.py` in '
                  f'`{args.work_root}` (ViT-mini patch {args.patch}, CL-EDI / MoCo v3 with the same budget on the 120 '
                  f'unlabelled Penn-Fudan training images, crops of 12 x 12 patches, seed = the run seed)')
    else:
        which = f'--work-root {args.work_root} --epochs {args.epochs}'
        source = (f'the {args.epochs}-epoch low-data CIFAR-10 runs of `lowdata_knn.py` in `{args.work_root}` '
                  f'({MODELS[args.model]["text"]}, pre-trained at 32 px)')
    lines = [
        f'Command: `python tools/benchmarks/dense_probe_bench.py {which} --seeds {" ".join(map(str, args.seeds))} '
        f'--input-size {args.input_size}'
        f'{f" --section {args.section}" if args.section != PRETRAIN[args.pretrain]["section"] else ""}`',
        '',
        f'Machine: {machine()}. Checkpoints: {source}; random '
        'init: the same ViT at the initial weights of each seed. Probe: Penn-Fudan images resized to '
        f'{args.input_size} px squared (position embedding interpolated), last-block patch tokens, one linear '
        'classifier per token (person / background), 300 AdamW steps on the 120 training images and their '
        'mirror images, scored on the 50 val images at 128 x 128 masks.',
        '',
        '| initialisation | val mIoU | person IoU | background IoU | pixel acc. | per seed (mIoU) |',
        '|---|---|---|---|---|---|',
    ]
    for method, results in rows.items():
        lines.append(f'| {names[method]} | {mean_std([r["mIoU"] for r in results])} | '
                     f'{mean_std([r["iou_1"] for r in results])} | {mean_std([r["iou_0"] for r in results])} | '
                     f'{mean_std([r["pixel_acc"] for r in results])} | '
                     f'{", ".join(format(r["mIoU"], ".2f") for r in results)} |')
    gap = paired_gap([r['mIoU'] for r in rows['cledi']], [r['mIoU'] for r in rows['mocov3']], target=TARGETS['dense'])
    lines += ['', f'CL-EDI - MoCo v3, val mIoU: {gap}.',
              '', f'Wall time of this invocation: {(time.time() - start) / 60:.0f} min (cached probes are not re-run).']
    title = 'Dense linear probe, Penn-Fudan person masks (CPU)' + (
        ', in-domain pre-training' if args.pretrain == 'pennfudan' else '')
    write_section(osp.join(ROOT, args.out), args.section, title, '\n'.join(lines))
    print('\n'.join(lines), flush=True)


if __name__ == '__main__':
    main()
