"""Detection tests need MMDetection and mmcv's compiled ops (`bash tools/install.sh --detection`); without them this
folder is skipped, saying so."""
import pytest

pytest.importorskip('mmcv.ops', reason="mmcv's compiled ops are not installed (bash tools/install.sh --detection)")
pytest.importorskip('mmdet', reason='MMDetection is not installed (bash tools/install.sh --detection)')
