"""Atomic checkpoint writes and the checked resume (cledi.engine.safe_checkpoint)."""
import os

import pytest
import torch
from mmengine.fileio import get_file_backend

from cledi.engine import DamagedCheckpointError, checkpoint_problem, resume_checkpoint


def save(path, value=1.0):
    torch.save(dict(state_dict=dict(weight=torch.full((64, 64), value))), path)
    return str(path)


def truncate(path, keep=0.5):
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:int(len(data) * keep)])


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path):
    backend = get_file_backend(backend_args=dict(backend='cledi_atomic'))
    target = tmp_path / 'epoch_1.pth'
    backend.put(b'complete checkpoint', target)
    with pytest.raises(TypeError):
        backend.put('not bytes: the write fails half-way', target)
    assert target.read_bytes() == b'complete checkpoint'
    assert os.listdir(tmp_path) == ['epoch_1.pth']
    backend.put_text('epoch_1.pth', tmp_path / 'last_checkpoint')
    assert (tmp_path / 'last_checkpoint').read_text() == 'epoch_1.pth'


def test_checkpoint_problems_are_named(tmp_path):
    good = save(tmp_path / 'good.pth')
    assert checkpoint_problem(good) is None
    cut = save(tmp_path / 'cut.pth')
    truncate(cut)
    assert 'truncated' in checkpoint_problem(cut)
    flipped = save(tmp_path / 'flipped.pth')
    data = bytearray(open(flipped, 'rb').read())
    data[len(data) // 2] ^= 0xFF  # inside the tensor data: the zip CRC catches it
    open(flipped, 'wb').write(bytes(data))
    assert 'CRC' in checkpoint_problem(flipped)
    (tmp_path / 'empty.pth').write_bytes(b'')
    assert checkpoint_problem(str(tmp_path / 'empty.pth')) == 'it is empty'
    assert checkpoint_problem(str(tmp_path / 'absent.pth')) == 'it does not exist'


def test_resume_skips_a_damaged_newest_checkpoint_and_refuses_a_damaged_explicit_one(tmp_path):
    first = save(tmp_path / 'epoch_1.pth')
    second = save(tmp_path / 'epoch_2.pth', 2.0)
    (tmp_path / 'last_checkpoint').write_text(second)
    assert resume_checkpoint(str(tmp_path)) == second
    truncate(second)
    assert resume_checkpoint(str(tmp_path)) == first
    with pytest.raises(DamagedCheckpointError, match=r"epoch_2.pth': it is truncated.*--resume .*epoch_1.pth"):
        resume_checkpoint(str(tmp_path), second)
    truncate(first)
    with pytest.raises(DamagedCheckpointError, match='every checkpoint'):
        resume_checkpoint(str(tmp_path))
    assert resume_checkpoint(str(tmp_path / 'fresh')) is None
