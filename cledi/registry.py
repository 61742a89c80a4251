"""cledi's registries: children of MMEngine's root registries, scope ``cledi``.

Configs keep their host library's ``default_scope`` (``mmpretrain`` for pre-training and classification, ``mmdet``
for detection) and name cledi's types with the scope prefix, e.g. ``type='cledi.CLEDI'``. Nothing here registers
into mmpretrain's or mmdet's registries.
"""
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import STRATEGIES as MMENGINE_STRATEGIES
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import Registry

MODELS = Registry('model', parent=MMENGINE_MODELS, scope='cledi', locations=['cledi.models'])
DATASETS = Registry('dataset', parent=MMENGINE_DATASETS, scope='cledi', locations=['cledi.datasets'])
TRANSFORMS = Registry('transform', parent=MMENGINE_TRANSFORMS, scope='cledi', locations=['cledi.datasets'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, scope='cledi', locations=['cledi.engine'])
METRICS = Registry('metric', parent=MMENGINE_METRICS, scope='cledi', locations=['cledi.evaluation'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    scope='cledi',
    locations=['cledi.engine'])
OPTIM_WRAPPERS = Registry(
    'optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS, scope='cledi', locations=['cledi.engine'])
MODEL_WRAPPERS = Registry('model_wrapper', parent=MMENGINE_MODEL_WRAPPERS, scope='cledi', locations=['cledi.engine'])
STRATEGIES = Registry('strategy', parent=MMENGINE_STRATEGIES, scope='cledi', locations=['cledi.engine'])
FUNCTIONS = Registry('function', parent=MMENGINE_FUNCTIONS, scope='cledi', locations=['cledi.engine'])
