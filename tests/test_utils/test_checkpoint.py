import pickle

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
