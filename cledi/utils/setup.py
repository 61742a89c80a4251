"""Device-dependent settings applied by the tools: distributed backend, CPU DDP wrapper, mixed precision."""
import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.logging import print_log


def setup_device(cfg: Config, launcher: str = 'none', amp: bool = False) -> Config:
    """Adapt a config to the machine it runs on.

    - no GPU + a launcher: gloo backend, the process group initialised here (MMEngine's ``init_dist`` calls
      ``torch.cuda.set_device``, which fails without a GPU), and ``cledi.CPUDistributedDataParallel``;
    - mixed precision (``AmpOptimWrapper``) when ``amp`` is True, or when the config says ``amp = 'auto'`` and
      a GPU is present. ``amp=True`` without a GPU is an error rather than a silent fp32 run.
    """
    has_gpu = torch.cuda.is_available()
    if launcher != 'none' and not has_gpu:
        cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
        wrapper = cfg.get('model_wrapper_cfg') or {}
        wrapper = dict(wrapper, type='cledi.CPUDistributedDataParallel')
        wrapper.setdefault('find_unused_parameters', cfg.get('find_unused_parameters', False))
        cfg.model_wrapper_cfg = wrapper
        if launcher == 'pytorch' and not torch_dist.is_initialized():
            torch_dist.init_process_group(backend='gloo')

    use_amp = amp or (cfg.get('amp', False) == 'auto' and has_gpu)
    if amp and not has_gpu:
        raise RuntimeError('--amp needs a GPU (AmpOptimWrapper), but torch.cuda.is_available() is False; '
                           'drop --amp to train in fp32 on the CPU')
    optim_wrapper = cfg.get('optim_wrapper')
    if use_amp and isinstance(optim_wrapper, dict) and optim_wrapper.get('type', 'OptimWrapper') == 'OptimWrapper':
        optim_wrapper['type'] = 'AmpOptimWrapper'
        optim_wrapper.setdefault('loss_scale', 'dynamic')
        print_log('mixed precision on: optim_wrapper.type = AmpOptimWrapper', logger='current')
    cfg.pop('amp', None)
    return cfg
