import os
import subprocess
import sys

import torch.distributed as dist

from cledi.engine import finish_distributed

from ..conftest import REPO_ROOT


def test_finish_distributed_closes_the_process_group(tmp_path):
    finish_distributed()  # no group: nothing to do, no error
    dist.init_process_group('gloo', init_method=f'file://{tmp_path / "store"}', rank=0, world_size=1)
    try:
        finish_distributed()
        assert not dist.is_initialized()
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


def test_finish_distributed_ends_a_multi_process_run_after_flushing(tmp_path):
    """With exit_process the process ends with status 0 after the group closes, its logs and output flushed."""
    log = tmp_path / 'run.log'
    script = f"""
import logging, sys
import torch.distributed as dist
from cledi.engine import finish_distributed
finish_distributed(exit_process=True)  # no group: returns, the process goes on
logger = logging.getLogger('run')
logger.addHandler(logging.FileHandler({str(log)!r}))
logger.warning('last record of the run')
sys.stdout.write('buffered, no newline')
dist.init_process_group('gloo', init_method='file://{tmp_path / "store"}', rank=0, world_size=1)
finish_distributed(exit_process=True)
print('after the exit')
"""
    result = subprocess.run([sys.executable, '-c', script], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=120, env=dict(os.environ, PYTHONPATH=REPO_ROOT))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == 'buffered, no newline'
    assert log.read_text() == 'last record of the run\n'
