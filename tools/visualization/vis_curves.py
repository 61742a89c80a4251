"""Training curves of one or more runs on one plot: kNN top-1 and the losses over epochs.

    python tools/visualization/vis_curves.py WORK_DIR [WORK_DIR ...] --out curves.png [--labels NAME ...]
        [--keys knn/top1_k20 loss_global loss_detail]

Reads every ``*/vis_data/scalars.json`` of each work dir (a resumed run adds one; its records win). One panel per
key, one line per run. A MoCo v3 run logs its only loss as ``loss``; it is drawn in the ``loss_global`` panel
(its label says so), so both methods' global losses share a panel.
"""

from mmengine.logging import MMLogger

from cledi.apis import run_tool, tool_parser
from cledi.visualization.curves import DEFAULT_KEYS, plot_runs


def parse_args(argv=None):
    parser = tool_parser(__doc__, 'kNN and loss curves of training runs')
    parser.add_argument('work_dirs', nargs='+', help='work dirs of tools/train.py runs')
    parser.add_argument('--labels', nargs='+', help='a name per work dir (default: the folder name)')
    parser.add_argument('--keys', nargs='+', default=list(DEFAULT_KEYS), help='scalars to plot, one panel each')
    parser.add_argument('--out', required=True, help='the PNG file to write')
    parser.add_argument('--dpi', type=int, default=100)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    path = plot_runs(args.work_dirs, args.out, args.labels, args.keys, args.dpi)
    logger = MMLogger.get_instance('cledi_vis', log_level='INFO')
    logger.info(f'curves of {len(args.work_dirs)} run(s) written to {path}')
    return path


if __name__ == '__main__':
    run_tool(main)
