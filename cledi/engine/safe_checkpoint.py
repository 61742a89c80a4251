"""Checkpoints that a kill cannot damage, and a resume that notices when one is damaged anyway.

MMEngine writes a checkpoint by opening the final path and streaming into it, and it removes the oldest kept
checkpoint *before* writing the new one. A job killed mid-write (pre-emption, a full disk) therefore leaves a
truncated ``epoch_N.pth`` that ``last_checkpoint`` may point to, and ``--resume`` then dies deep inside
``torch.load``. Two remedies:

- :class:`AtomicLocalBackend`, MMEngine's local file backend with every write going to a temporary file in the
  same folder, flushed, synced and renamed over the target: the target is either the old file or the complete new
  one. ``prepare_runner_config`` gives it to the CheckpointHook of every config ``tools/train.py`` runs.
- :func:`resume_checkpoint` checks a checkpoint before the Runner loads it (a torch checkpoint is a zip archive;
  every member's CRC is verified) and, for ``--resume`` without a path, falls back to the newest intact one with
  a warning that names the damaged file.
"""
import glob
import os
import os.path as osp
import re
from typing import List, Optional

from mmengine.fileio import LocalBackend, register_backend
from mmengine.logging import MMLogger

from cledi.utils.checkpoint import checkpoint_problem
from cledi.utils.errors import DamagedCheckpointError

ATOMIC_BACKEND = 'cledi_atomic'


@register_backend(ATOMIC_BACKEND)
class AtomicLocalBackend(LocalBackend):
    """Local files written atomically: temporary file, flush, fsync, rename."""

    def _replace(self, data, filepath, mode: str, **open_args) -> None:
        filepath = str(filepath)
        os.makedirs(osp.dirname(osp.abspath(filepath)), exist_ok=True)
        tmp_path = f'{filepath}.{os.getpid()}.tmp'
        try:
            with open(tmp_path, mode, **open_args) as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp_path, filepath)
        finally:
            if osp.exists(tmp_path):
                os.remove(tmp_path)

    def put(self, obj: bytes, filepath) -> None:
        self._replace(obj, filepath, 'wb')

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        self._replace(obj, filepath, 'w', encoding=encoding)


def checkpoint_step(path: str) -> int:
    """N of ``epoch_N.pth`` / ``iter_N.pth``; -1 for any other name."""
    match = re.search(r'(?:epoch|iter)_(\d+)\.pth$', path)
    return int(match.group(1)) if match else -1


def checkpoints_newest_first(work_dir: str) -> List[str]:
    """``last_checkpoint``'s target, then every ``epoch_N.pth`` / ``iter_N.pth`` of the work dir, newest first."""
    found = sorted(glob.glob(osp.join(work_dir, 'epoch_*.pth')) + glob.glob(osp.join(work_dir, 'iter_*.pth')),
                   key=checkpoint_step, reverse=True)
    pointer = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(pointer):
        with open(pointer) as f:
            last = f.read().strip()
        if last:
            found = [last] + [path for path in found if osp.abspath(path) != osp.abspath(last)]
    return found


def resume_checkpoint(work_dir: str, requested: Optional[str] = None) -> Optional[str]:
    """The checkpoint to resume from, checked.

    Args:
        work_dir: The run's work dir.
        requested: An explicit ``--resume`` path, or None for the newest checkpoint of ``work_dir``.

    Returns:
        The path; None when ``requested`` is None and the work dir has no checkpoint (a fresh start).

    Raises:
        DamagedCheckpointError: ``requested`` is damaged (the message names it, why, and the newest intact alternative), or
            every checkpoint of the work dir is.
    """
    logger = MMLogger.get_current_instance()
    if requested is not None:
        problem = checkpoint_problem(requested)
        if problem is None:
            return requested
        intact = [path for path in checkpoints_newest_first(osp.dirname(osp.abspath(requested)))
                  if osp.abspath(path) != osp.abspath(requested) and checkpoint_problem(path) is None]
        offer = (f"; the newest intact checkpoint beside it is '{intact[0]}': resume from it with --resume "
                 f'{intact[0]}' if intact else '; no intact checkpoint is beside it')
        raise DamagedCheckpointError(f"cannot resume from '{requested}': {problem}{offer}")
    candidates = checkpoints_newest_first(work_dir)
    for rank, path in enumerate(candidates):
        problem = checkpoint_problem(path)
        if problem is None:
            if rank:
                logger.warning(f"resuming from '{path}', the newest intact checkpoint")
            return path
        logger.warning(f"skipping checkpoint '{path}' for the resume: {problem}")
    if candidates:
        raise DamagedCheckpointError(f"every checkpoint of '{work_dir}' is damaged ({', '.join(candidates)}); start without "
                           '--resume (or from another work dir)')
    return None
