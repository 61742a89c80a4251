"""The one way cledi's models build their parts from configs."""
from typing import Optional, Union

import torch.nn as nn

from cledi.registry import MODELS


def build_module(cfg: Union[dict, nn.Module, None], **defaults) -> Optional[nn.Module]:
    """A module from its config (``defaults`` fill what the config leaves out; a default of None is no default),
    the module itself when it is built already, or None for None."""
    if cfg is None or isinstance(cfg, nn.Module):
        return cfg
    defaults = {key: value for key, value in defaults.items() if value is not None}
    return MODELS.build(cfg, default_args=defaults or None)
