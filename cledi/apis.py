"""Configs and models the way every cledi tool loads them, and the one-line errors of the command-line tools.

- :func:`load_config`: a config file with ``--cfg-options``, a data root and an epoch count applied, its data
  preprocessor merged into the model (what ``Runner`` would build);
- :func:`init_model`: the config's pre-training model with a checkpoint's backbone loaded strictly (or the seeded
  random initialisation), in eval mode;
- :func:`default_data_root`: ``$CLEDI_DATA_ROOT``, else ``../shared/data`` beside the checkout;
- :func:`run_tool`: runs a tool's ``main`` and turns bad input (:class:`cledi.utils.errors.InputError`) into
  ``error: <one line>`` and exit code 2, the traceback only with ``--debug``.
"""
import logging
import os
import os.path as osp
import sys
from typing import Callable, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.config import Config, DictAction
from mmengine.logging import MMLogger

from cledi.utils.config import merge_data_preprocessor, set_data_root
from cledi.utils.errors import InputError, MissingInputError
from cledi.utils.schedule import rescale_epochs

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def default_data_root(name: Optional[str] = None) -> str:
    """``$CLEDI_DATA_ROOT/name``, else ``../shared/data/name`` beside the checkout (the one definition)."""
    root = os.environ.get('CLEDI_DATA_ROOT', osp.join(osp.dirname(REPO_ROOT), 'shared', 'data'))
    return osp.join(root, name) if name else root


def parse_options(options: Sequence[str]) -> dict:
    """``['a.b=1', 'c=x']`` (``--cfg-options`` words) -> the dict MMEngine's ``DictAction`` makes of them."""
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument('--o', nargs='+', action=DictAction)
    return parser.parse_args(['--o', *options]).o if options else {}


def load_config(config: str, options: Union[dict, Sequence[str], None] = None, data_root: Optional[str] = None,
                epochs: Optional[int] = None) -> Config:
    """A config as the tools run it.

    Args:
        config: Path of the config file (relative paths from the working directory, else from the checkout).
        options: ``--cfg-options`` overrides, as a dict or as ``key=value`` words.
        data_root: Points every dataloader (and COCO-style evaluator) of the config here.
        epochs: Changes ``max_epochs``, stretching the warm-up and cosine phases with it.

    Raises:
        MissingInputError: the config file does not exist.
        InputError: the file is not a loadable config, or ``epochs`` meets an iteration-based schedule.
    """
    path = config if osp.isfile(config) or osp.isabs(config) else osp.join(REPO_ROOT, config)
    if not osp.isfile(path):
        raise MissingInputError(f"config '{config}' does not exist: pass the path of a config file, e.g. "
                                'configs/cledi/cledi_vit-mini-p4_1xb128-coslr-200e_cifar10-10pct.py')
    try:
        cfg = Config.fromfile(path)
    except (SyntaxError, NameError, KeyError, ImportError) as error:
        if isinstance(error, ImportError) and 'mmdet' in str(error):
            raise InputError(f"'{config}' is a detection config: it needs MMDetection and mmcv's compiled ops, which "
                             'this install lacks (mmcv-lite); add them with `bash tools/install.sh --detection`') \
                from error
        raise InputError(f"config '{config}' cannot be loaded ({type(error).__name__}: {error}); fix the file or "
                         'pass another config') from error
    if options:
        cfg.merge_from_dict(options if isinstance(options, dict) else parse_options(options))
    if data_root:
        set_data_root(cfg, data_root)
    if epochs:
        rescale_epochs(cfg, epochs)
    return merge_data_preprocessor(cfg)


def check_stack(cfg: Config, config: str) -> None:
    """A detection config (MMDetection's scope) needs mmdet and mmcv's compiled ops, which the default install (with
    ``mmcv-lite``) leaves out: stop with the command that installs them.

    Raises:
        InputError: naming the config and ``bash tools/install.sh --detection``.
    """
    if cfg.get('default_scope') != 'mmdet':
        return
    import importlib.util
    try:
        import mmcv.ops  # noqa: F401
        ops = True
    except ImportError:
        ops = False
    if not ops or importlib.util.find_spec('mmdet') is None:
        raise InputError(f"'{config}' is a detection config: it needs MMDetection and mmcv's compiled ops, which this "
                         'install lacks (mmcv-lite); add them with `bash tools/install.sh --detection`')


def build_model(cfg: Config, seed: int = 0) -> nn.Module:
    """The config's model, initialised from ``seed`` (``init_weights``), in train mode.

    Raises:
        InputError: the model cannot be built from the config (an unknown key, a bad value), naming the error.
    """
    from mmengine.registry import init_default_scope
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    from mmpretrain.registry import MODELS
    torch.manual_seed(seed)
    try:
        model = MODELS.build(cfg.model)
    except (TypeError, ValueError, KeyError) as error:
        raise InputError(f'the model of the config cannot be built ({error}); check the config\'s model keys and '
                         'the --cfg-options values') from error
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)  # MMEngine lists every parameter's initialisation at INFO: noise for a tool
    try:
        model.init_weights()
    finally:
        logger.setLevel(level)
    return model


def init_model(cfg: Config, checkpoint: Optional[str] = None, seed: int = 0, raw_tokens: bool = True) -> nn.Module:
    """The config's pre-training model with ``checkpoint``'s backbone (and detail pooling) loaded, in eval mode.

    Args:
        cfg: A config from :func:`load_config`.
        checkpoint: A pre-training ``.pth`` file; ``None`` or ``'random'``: the random initialisation of ``seed``.
        seed: Seed of the random initialisation.
        raw_tokens: Build the backbone with ``out_type='raw'`` (MoCo v3 configs ask for the CLS token only; the
            weights are the same), so that patch tokens are available.

    Raises:
        DamagedCheckpointError: the checkpoint is missing, truncated or corrupt.
        CheckpointMismatchError: its weights are those of another model (names the weights).
    """
    from cledi.models.algorithms.cledi import upgrade_state_dict
    from cledi.utils.checkpoint import load_backbone_strict, load_module_strict
    if raw_tokens:
        cfg.model.backbone.out_type = 'raw'
    model = build_model(cfg, seed)
    if checkpoint not in (None, 'random'):
        load_backbone_strict(model.backbone, checkpoint)
        pool = detail_pool(model)
        if pool is not None and any(True for _ in pool.parameters()):
            load_module_strict(pool, checkpoint, prefix='detail.pool.', upgrade=upgrade_state_dict)
    return model.eval()


def detail_pool(model: nn.Module) -> Optional[nn.Module]:
    """The pooling of a CL-EDI model's detail part (``model.detail.pool``), or None."""
    return getattr(getattr(model, 'detail', None), 'pool', None)


def expected_backbone_keys(config: str) -> set:
    """The state-dict keys of a config's backbone, as built from it (what a converted checkpoint must hold)."""
    cfg = load_config(config)
    from mmengine.registry import init_default_scope
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    from mmpretrain.registry import MODELS
    return set(MODELS.build(cfg.model.backbone).state_dict())


def tool_parser(doc: str, description: Optional[str] = None):
    """A tool's argument parser whose ``--help`` ends with the usage lines of its module docstring as examples
    (the indented ``python tools/...`` / ``bash tools/...`` lines and their continuations)."""
    import argparse
    examples, inside = [], False
    for line in doc.splitlines():
        command = line.strip().startswith(('python ', 'bash ', 'GPUS='))
        if line.startswith('    ') and (command or (inside and line.startswith('        '))):
            examples.append(('  ' if command else '      ') + line.strip())
            inside = True
        else:
            inside = False
    return argparse.ArgumentParser(description=description or doc.strip().split('\n')[0],
                                   epilog='example:\n' + '\n'.join(examples) if examples else None,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)


def checkpoint_parser(description: str, example: str):
    """The command line of a tool that takes ``CONFIG CHECKPOINT|random``, with an example in its ``--help``."""
    import argparse
    parser = argparse.ArgumentParser(description=description, epilog=f'example:\n  {example}',
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='the pre-training config of the checkpoint')
    parser.add_argument('checkpoint', help="a pre-training .pth file, or 'random' for the seeded initial weights")
    return parser


def run_tool(main: Callable, argv: Optional[Sequence[str]] = None):
    """Run a command-line tool's ``main(argv)``; bad input ends it with one line on stderr and exit code 2.

    ``--debug`` anywhere on the command line shows the traceback instead (it is removed before ``main`` sees it).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = '--debug' in argv
    argv = [arg for arg in argv if arg != '--debug']
    try:
        return main(argv)
    except InputError as error:
        if debug:
            raise
        print(f'error: {error} (run with --debug for the traceback)', file=sys.stderr, flush=True)
        raise SystemExit(2) from None
