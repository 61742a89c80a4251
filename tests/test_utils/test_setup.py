import torch.distributed as dist

from cledi.utils import finish_distributed


def test_finish_distributed_closes_the_process_group(tmp_path):
    finish_distributed()  # no group: nothing to do, no error
    dist.init_process_group('gloo', init_method=f'file://{tmp_path / "store"}', rank=0, world_size=1)
    try:
        finish_distributed()
        assert not dist.is_initialized()
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
