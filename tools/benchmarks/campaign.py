"""Run, continue or report a campaign: a grid of pre-training runs and their evaluations (cledi/benchmarks/campaign.py).

    python tools/benchmarks/campaign.py NAME [--state DIR] [--parallel N] [--status] [--report-only]
    python tools/benchmarks/campaign.py --readme     # the README's results table, from docs/benchmarks.md
    python tools/benchmarks/campaign.py --size-axis  # the data-size axis section and figure, from docs/results/

Run the same command again after any interruption: finished pre-trainings and evaluations are skipped, an
unfinished pre-training continues from its last checkpoint (refused if the commit, the machine or the precision
changed since it started). Run state lives in ``--state`` (default ``$CLEDI_STATE`` or ``~/.cache/cledi/campaigns``),
outside the checkout; every finished run's numbers go to ``docs/results/NAME/`` (commit them) and the tables to
docs/benchmarks.md (section ``campaign-NAME``); a run recorded there complete is not run again, so a campaign
longer than a machine's life continues on the next machine. ``--parallel N`` trains N runs side by side (a GPU).

A long campaign runs from a fixed worktree (its commit is recorded with every run, and a resume on other code is
refused) and writes its numbers into the checkout you commit from:

    git worktree add ~/.cache/cledi/src/$(git rev-parse --short HEAD) HEAD
    cd ~/.cache/cledi/src/<sha> && CLEDI_DATA_ROOT=/path/to/shared/data \
        python tools/benchmarks/campaign.py regime --results /path/to/checkout/docs/results

(the tables then go beside the results: ``/path/to/checkout/docs/benchmarks.md``).
"""
import argparse
import os.path as osp

from cledi.apis import run_tool
from cledi.benchmarks.campaign import CAMPAIGNS, RESULTS, load_results, run_campaign
from cledi.benchmarks.campaign_report import SIZE_AXIS, size_axis_report, write_report
from cledi.benchmarks.readme import write_readme
from cledi.utils import InputError


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog='example:\n  python tools/benchmarks/campaign.py regime --status')
    parser.add_argument('name', nargs='?', help=f'the campaign: {", ".join(sorted(CAMPAIGNS)) or "(none declared)"}')
    parser.add_argument('--readme', action='store_true',
                        help="rewrite the README's results table from the generated sections of docs/benchmarks.md")
    parser.add_argument('--size-axis', action='store_true',
                        help='write the data-size axis section and figure from the committed runs of its campaigns')
    parser.add_argument('--state', help='where the runs live (default: $CLEDI_STATE or ~/.cache/cledi/campaigns)')
    parser.add_argument('--data-root', help='the CIFAR-10 folder (default: $CLEDI_DATA_ROOT or ../shared/data)')
    parser.add_argument('--parallel', type=int, default=1, help='pre-trainings side by side (a GPU)')
    parser.add_argument('--status', action='store_true', help='print what is done and what is left, run nothing')
    parser.add_argument('--report-only', action='store_true', help='only rebuild the tables from docs/results/')
    parser.add_argument('--results', default=RESULTS,
                        help="where finished runs' numbers go (default: this checkout's docs/results; from a fixed "
                             "worktree, point it at the checkout you commit from)")
    parser.add_argument('--out', help="the docs file its tables go to (default: benchmarks.md beside --results' "
                        'folder, docs/benchmarks.md)')
    parser.add_argument('--allow-mismatch', action='store_true',
                        help='continue runs started with another commit, machine or precision')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.readme:
        print(write_readme())
        return
    if args.size_axis:
        print(size_axis_report({name: load_results(name, args.results) for name, _ in SIZE_AXIS}))
        return
    if args.name not in CAMPAIGNS:
        raise InputError(f"campaign '{args.name}' is not declared; declared: {', '.join(sorted(CAMPAIGNS)) or 'none'} "
                         '(cledi/benchmarks/campaign.py, CAMPAIGNS)')
    campaign = CAMPAIGNS[args.name]
    args.out = args.out or osp.join(osp.dirname(osp.abspath(args.results)), 'benchmarks.md')
    if args.report_only:
        print(write_report(args.name, campaign, load_results(args.name, args.results), args.out))
        return
    results = run_campaign(args.name, campaign, args.state, args.data_root, args.allow_mismatch, args.parallel,
                           args.status, args.results)
    if not args.status:
        write_report(args.name, campaign, results, args.out)


if __name__ == '__main__':
    run_tool(main)
