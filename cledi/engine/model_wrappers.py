"""Distributed data parallel on the CPU (gloo), for multi-process runs without a GPU."""
from mmengine.model import MMDistributedDataParallel, revert_sync_batchnorm

from cledi.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class CPUDistributedDataParallel(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` for CPU processes.

    The Runner passes ``device_ids=[LOCAL_RANK]``, which DDP rejects for a CPU module, and SyncBatchNorm has no
    CPU kernel; so ``device_ids`` is dropped and SyncBN layers become plain BN (batch statistics are then per
    process, not synchronised, which is the only difference from a GPU run).
    """

    def __init__(self, module, device_ids=None, **kwargs) -> None:
        super().__init__(module=revert_sync_batchnorm(module), device_ids=None, **kwargs)
