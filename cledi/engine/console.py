"""A run's terminal output held back while it is set up, so that a set-up error is the one line a person sees."""
import io
import logging
import sys

from mmengine.hooks import Hook
from mmengine.logging import MMLogger

_HELD = []  # the console being held now, if any (tools/train.py holds one per process)


def release_held_console() -> None:
    """Let a held console's lines out now: for set-up work that takes long enough to need its progress shown (the
    decoded-image cache's first build), where a failure is no longer a quick config error."""
    for console in list(_HELD):
        console.release()


class HeldConsole(Hook):
    """Holds what a run writes to the terminal (stdout, stderr, MMEngine's console log) until training starts.

    Used as a context around building and starting a Runner, and registered as its first hook: ``before_train``
    (the set-up is done: weights initialised, checkpoints loaded or resumed) writes the held lines out and lets
    the rest through as usual. A run that fails before that leaves the terminal to the error line alone; its set-up
    lines are in the work dir's log file, which MMEngine writes in any case (its own log lines; a held ``print``
    or warning of a failed set-up is not kept). Long set-up work lets the lines out early
    (:func:`release_held_console`).
    """

    priority = 'HIGHEST'

    def __init__(self) -> None:
        self.started = False
        self._terminal = None
        self._held = None
        self._holding = False

    def __enter__(self) -> 'HeldConsole':
        self._terminal = (sys.stdout, sys.stderr)
        self._held = (io.StringIO(), io.StringIO())
        sys.stdout, sys.stderr = self._held
        self._holding = True
        _HELD.append(self)
        return self

    def _restore(self) -> None:
        self._holding = False
        sys.stdout, sys.stderr = self._terminal
        if self in _HELD:
            _HELD.remove(self)
        # loggers made during the set-up stream to the stdout / stderr they found (MMEngine's, and any other)
        loggers = [*MMLogger._instance_dict.values(), logging.getLogger(),
                   *(logger for logger in logging.Logger.manager.loggerDict.values()
                     if isinstance(logger, logging.Logger))]
        for logger in loggers:
            for handler in getattr(logger, 'handlers', []):
                for held, terminal in zip(self._held, self._terminal):
                    if getattr(handler, 'stream', None) is held:
                        handler.setStream(terminal)

    def release(self) -> None:
        """Write the held lines out and let the rest through as usual (once)."""
        if not self._holding:
            return
        self._restore()
        for held, terminal in zip(self._held, self._terminal):
            terminal.write(held.getvalue())
            terminal.flush()

    def before_train(self, runner) -> None:
        self.started = True  # the set-up is done: what fails now is training, not the config
        self.release()

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:  # the context ended without a training loop (nothing failed): show what was held
            self.release()
        elif self._holding:
            self._restore()  # the set-up failed: its log lines are in the log file; the error line follows alone
