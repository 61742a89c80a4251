"""The README's fault promises under sharded training: FSDP checkpoints written atomically, the NaN guard working
with DeepSpeed's optimizer wrapper."""
import pytest
import torch


def test_an_fsdp_checkpoint_killed_mid_write_leaves_the_previous_one_whole(tmp_path, monkeypatch):
    """MMEngine's FSDP strategy streams the full state dict into the target path; cledi's writes a temporary file
    and renames it. The kill is simulated inside MMEngine's save: it has written part of the file, then stops."""
    from mmengine._strategy import FSDPStrategy as MMEngineFSDPStrategy

    from cledi.engine import FSDPStrategy
    target = tmp_path / 'epoch_2.pth'
    target.write_bytes(b'the complete epoch-2 checkpoint')

    def killed_mid_write(self, filename, **kwargs):
        with open(filename, 'wb') as f:
            f.write(b'the first half of epoch 3')
        raise KeyboardInterrupt

    monkeypatch.setattr(MMEngineFSDPStrategy, 'save_checkpoint', killed_mid_write)
    with pytest.raises(KeyboardInterrupt):
        FSDPStrategy().save_checkpoint(str(target))
    assert target.read_bytes() == b'the complete epoch-2 checkpoint'
    assert sorted(path.name for path in tmp_path.iterdir()) == ['epoch_2.pth']  # no temporary file left

    def writes(self, filename, **kwargs):
        with open(filename, 'wb') as f:
            f.write(b'the complete epoch-3 checkpoint')

    monkeypatch.setattr(MMEngineFSDPStrategy, 'save_checkpoint', writes)
    FSDPStrategy().save_checkpoint(str(target))
    assert target.read_bytes() == b'the complete epoch-3 checkpoint'


def test_the_nan_guard_discards_a_bad_step_under_deepspeeds_optimizer_wrapper():
    """MMEngine's ``DeepSpeedOptimWrapper`` raises on ``zero_grad``; the guard clears the gradients through its
    engine instead. DeepSpeed itself does not run on this CPU stack, so the engine here is what the wrapper is given
    under DeepSpeed, an ``nn.Module`` (DeepSpeed's engine is one), and the wrapper is MMEngine's own class."""
    from mmengine._strategy.deepspeed import DeepSpeedOptimWrapper

    from cledi.engine import NonFiniteLossHook
    module = torch.nn.Linear(3, 1)
    wrapper = DeepSpeedOptimWrapper(torch.optim.SGD(module.parameters(), lr=1.0))
    wrapper.model = module
    with pytest.raises(NotImplementedError):
        wrapper.zero_grad()  # what the guard called before
    module(torch.ones(2, 3)).sum().backward()  # gradients of an earlier micro-batch of the step
    hook = NonFiniteLossHook()
    guarded = hook._guard(wrapper, wrapper.update_params)
    weight = module.weight.detach().clone()
    assert guarded(torch.tensor(float('nan'))) is None
    assert hook._bad_step and all(p.grad is None or not p.grad.any() for p in module.parameters())
    assert torch.equal(module.weight, weight)  # no update
