"""Mixed precision on any device: autocast around forward and loss, no loss scaling (bfloat16)."""
from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper

from cledi.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """``OptimWrapper`` that runs forward and loss under ``torch.autocast`` on the parameters' device.

    MMEngine's ``AmpOptimWrapper`` refuses the CPU. bfloat16 has float32's range, so it needs no loss scaling:
    this wrapper only adds autocast (matmuls and convolutions in bf16, reductions and the optimizer step in
    float32; the weights stay float32). On CPUs with native bf16 (AVX512-BF16 or AMX, e.g. AMD Zen 4, Intel
    Sapphire Rapids) it makes a ViT pre-training step faster (docs/benchmarks.md, "Fast engine").

    Args:
        dtype (str): ``'bfloat16'`` (default) or ``'float16'`` (GPU only; prefer ``AmpOptimWrapper`` there,
            which scales the loss).
        **kwargs: Passed to ``OptimWrapper``.
    """

    def __init__(self, dtype: str = 'bfloat16', **kwargs) -> None:
        super().__init__(**kwargs)
        if dtype not in ('bfloat16', 'float16'):
            raise ValueError(f"dtype '{dtype}' is not one of 'bfloat16', 'float16'")
        self.cast_dtype = getattr(torch, dtype)

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        device = next(model.parameters()).device.type
        with super().optim_context(model), torch.autocast(device_type=device, dtype=self.cast_dtype):
            yield


def cpu_has_native_bf16() -> bool:
    """True when this CPU computes bfloat16 natively (AVX512-BF16 or AMX), where bf16 autocast pays off.

    Without it (e.g. an AVX2-only CPU) oneDNN emulates bf16 and autocast makes the step slower, not faster.
    """
    check = getattr(torch.ops.mkldnn, '_is_mkldnn_bf16_supported', None)
    if check is not None:
        try:
            return bool(check())
        except RuntimeError:
            pass
    try:
        with open('/proc/cpuinfo') as f:
            flags = next((line for line in f if line.startswith('flags')), '').split()
    except OSError:
        return False
    return 'avx512_bf16' in flags or 'amx_bf16' in flags
