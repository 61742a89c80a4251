"""Detection tests need MMDetection and mmcv's compiled ops (`bash tools/install.sh --detection`); without them each
module of this folder is skipped, saying so. The check is a function the modules call, not a skip raised here: pytest
imports this file while it starts (`pytest tests`), where a skip would stop the whole run with a traceback."""
import pytest


def require_detection_stack() -> None:
    """Skip the calling test module, naming what is missing and the install command."""
    pytest.importorskip('mmcv.ops', reason="mmcv's compiled ops are not installed (bash tools/install.sh --detection)")
    pytest.importorskip('mmdet', reason='MMDetection is not installed (bash tools/install.sh --detection)')
