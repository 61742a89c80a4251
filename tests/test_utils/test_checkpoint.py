import pickle
import re

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

import cledi  # noqa: F401  (registers the allow-list)


def test_message_hub_state_loads_with_weights_only(tmp_path):
    hub = MessageHub.get_instance('cledi_test_checkpoint')
    hub.update_scalar('train/loss', 1.5)
    hub.update_scalar('train/loss', np.float64(2.5))
    hub.update_info('epoch', 3)
    path = tmp_path / 'ckpt.pth'
    torch.save(dict(state_dict={'w': torch.ones(2)}, message_hub=hub.state_dict(), meta=dict(seed=np.int64(0))),
               path)
    loaded = torch.load(path, weights_only=True)
    assert loaded['message_hub']['log_scalars']['train/loss'].mean() == 2.0
    assert loaded['message_hub']['log_scalars']['train/loss'].statistics('max') == 2.5


class _Sneaky:
    """Pickles as getattr(HistoryBuffer, '_set_default_statistics'): not a statistics method."""

    def __reduce__(self):
        return getattr, (HistoryBuffer, '_set_default_statistics')


def test_other_getattr_calls_are_refused(tmp_path):
    path = tmp_path / 'sneaky.pth'
    torch.save({'x': _Sneaky()}, path)
    with pytest.raises(pickle.UnpicklingError, match='refusing getattr'):
        torch.load(path, weights_only=True)


def test_an_older_torch_is_refused_where_cledi_is_imported():
    """MMEngine loads resume and init_cfg checkpoints without weights_only: safe only with torch >= 2.6's default."""
    from cledi.utils.checkpoint import check_torch_version
    for version in ('2.6.0', '2.14.1+cu130', '3.0.0'):
        check_torch_version(version)
    for version in ('2.5.1+cu121', '1.13.1'):
        with pytest.raises(ImportError, match=rf'cledi needs torch >= 2.6, found {re.escape(version)}.*TORCH_SPEC'):
            check_torch_version(version)
