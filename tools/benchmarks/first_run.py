"""Wall time of the README's commands on fresh clones: what a new user waits before the first number.

    python tools/benchmarks/first_run.py [--tests] [--work DIR]

Clones this repository's HEAD into ``--work`` and times, as the README writes them:

- **cold**: ``bash tools/install.sh && .venv/bin/python tools/demo.py`` with an empty pip cache and an empty
  mmcv wheel cache (``PIP_CACHE_DIR``, ``CLEDI_WHEEL_CACHE`` in ``--work``): a fresh machine;
- **warm**: the same command in a second clone, with the caches the cold run filled;
- **tests** (``--tests``): ``bash tools/install.sh --detection && .venv/bin/python -m pytest -q tests`` in a
  third clone with an empty wheel cache, so mmcv's ops are compiled as on a fresh CI machine (~30 min).

Writes the times to README.md (block ``timings``: one paragraph per kind of machine, this machine's replaced, the
others kept) and prints them. Needs the data beside the checkout or ``CLEDI_DATA_ROOT`` for ``--tests``; uses the
machine's package index as ``pip`` is configured.
"""
import datetime
import os
import os.path as osp
import shutil
import subprocess
import tempfile
import time

from cledi.apis import run_tool, tool_parser
from cledi.benchmarks import ROOT, machine
from cledi.benchmarks.readme import read_block, replace_block

FIRST = 'bash tools/install.sh && .venv/bin/python tools/demo.py'
TESTS = 'bash tools/install.sh --detection && .venv/bin/python -m pytest -q tests'


def parse_args(argv=None):
    parser = tool_parser(__doc__)
    parser.add_argument('--tests', action='store_true', help='also time the test command (compiles mmcv: ~30 min)')
    parser.add_argument('--work', default=None, help='where the clones and caches go (default: a temporary folder)')
    parser.add_argument('--readme', default=osp.join(ROOT, 'README.md'))
    return parser.parse_args(argv)


def timed(work: str, name: str, command: str, env: dict) -> float:
    """Clone HEAD into work/name, run the command there (stdin closed, CI=true), return its wall seconds."""
    clone = osp.join(work, name)
    shutil.rmtree(clone, ignore_errors=True)
    subprocess.run(['git', 'clone', '-q', ROOT, clone], check=True)
    print(f'[first-run] {name}: {command}  (log: {clone}.log)', flush=True)
    began = time.time()
    with open(f'{clone}.log', 'w') as log:
        done = subprocess.run(['bash', '-c', command], cwd=clone, env=env, stdin=subprocess.DEVNULL, stdout=log,
                              stderr=subprocess.STDOUT)
    seconds = time.time() - began
    if done.returncode:
        raise RuntimeError(f'{name}: `{command}` failed with exit code {done.returncode}; see {clone}.log')
    print(f'[first-run] {name}: {seconds / 60:.1f} min', flush=True)
    return seconds


def merge_machine_line(block: str, line: str, kind: str) -> str:
    """The timings block with ``line`` as the paragraph of machine ``kind``; other machines' paragraphs are kept in
    their order, this machine's earlier one is dropped and the new one goes last."""
    prefix = f'Measured on fresh clones ({kind}, '
    kept = [text for text in block.split('\n\n') if text.strip() and not text.startswith(prefix)]
    return '\n\n'.join(kept + [line])


def main(argv=None):
    args = parse_args(argv)
    work = args.work or tempfile.mkdtemp(prefix='cledi-first-run-')
    os.makedirs(work, exist_ok=True)
    caches = dict(PIP_CACHE_DIR=osp.join(work, 'pip-cache'), CLEDI_WHEEL_CACHE=osp.join(work, 'wheels'))
    for folder in caches.values():
        shutil.rmtree(folder, ignore_errors=True)
    env = dict(os.environ, CI='true', **caches)
    env.pop('VIRTUAL_ENV', None)
    cold = timed(work, 'cold', FIRST, env)
    warm = timed(work, 'warm', FIRST, env)
    block = (f'Measured on fresh clones ({machine()}, {datetime.date.today()}): the first line took '
             f'**{cold / 60:.1f} min** to the demo\'s kNN line with empty caches and {warm / 60:.1f} min with warm '
             'ones')
    if args.tests:
        shutil.rmtree(caches['CLEDI_WHEEL_CACHE'], ignore_errors=True)
        tests = timed(work, 'tests', TESTS, env)
        block += f'; the second line (the tests, mmcv compiled from scratch) took **{tests / 60:.1f} min**'
    block += ' (`python tools/benchmarks/first_run.py' + (' --tests' if args.tests else '') + '`).'
    replace_block(args.readme, 'timings', merge_machine_line(read_block(args.readme, 'timings'), block, machine()))
    print(block)


if __name__ == '__main__':
    run_tool(main)
