"""Layer-wise learning-rate decay that asks the backbone for each parameter's depth."""
from typing import List

import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.optim import DefaultOptimWrapperConstructor

from cledi.registry import OPTIM_WRAPPER_CONSTRUCTORS


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class LayerDecayOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """Parameter groups with ``lr = base_lr * layer_decay_rate ** (num_depths - 1 - depth)``.

    The depth of a ``backbone.*`` parameter comes from ``model.backbone.get_layer_depth(name, 'backbone.')``
    (patch embedding and position embedding = 0, block i = i + 1); every other parameter (neck, heads) gets the
    top depth and the full learning rate. No weight decay on 1-D parameters (norms, biases) and on the names the
    backbone lists in ``no_weight_decay()``.

    ``paramwise_cfg``: ``layer_decay_rate`` (float, required, e.g. 0.7 for ViT-B as in ViTDet).
    """

    def add_params(self, params: List[dict], module: nn.Module, **kwargs) -> None:
        model = module.module if is_model_wrapper(module) else module
        decay_rate = self.paramwise_cfg.get('layer_decay_rate')
        if decay_rate is None or not 0 < decay_rate <= 1:
            raise ValueError(f'paramwise_cfg.layer_decay_rate must be in (0, 1], got {decay_rate}')
        backbone = getattr(model, 'backbone', None)
        if backbone is None or not hasattr(backbone, 'get_layer_depth'):
            raise TypeError(f'{type(model).__name__}.backbone has no get_layer_depth(); layer-wise lr decay needs '
                            'a backbone that reports the depth of its parameters (cledi.ViT and its subclasses do)')
        no_decay = set(backbone.no_weight_decay()) if hasattr(backbone, 'no_weight_decay') else set()
        groups = {}
        for name, param in model.named_parameters():
            if not param.requires_grad:
                continue
            depth, num_depths = backbone.get_layer_depth(name, 'backbone.')
            skip_decay = param.ndim == 1 or name.split('.')[-1] in no_decay
            key = (depth, skip_decay)
            if key not in groups:
                groups[key] = dict(
                    params=[],
                    lr=self.base_lr * decay_rate**(num_depths - 1 - depth),
                    weight_decay=0.0 if skip_decay else self.base_wd,
                    param_names=[])
            groups[key]['params'].append(param)
            groups[key]['param_names'].append(name)
        for key in sorted(groups):
            group = groups[key]
            print_log(f'layer decay group depth={key[0]} no_decay={key[1]}: lr={group["lr"]:.3g}, '
                      f'{len(group["params"])} tensors', logger='current', level=10)
            del group['param_names']
            params.append(group)
