"""A run's terminal output held back while it is set up, so that a set-up error is the one line a person sees."""
import io
import sys

from mmengine.hooks import Hook
from mmengine.logging import MMLogger


class HeldConsole(Hook):
    """Holds what a run writes to the terminal (stdout, stderr, MMEngine's console log) until training starts.

    Used as a context around building and starting a Runner, and registered as its first hook: ``before_train``
    (the set-up is done: weights initialised, checkpoints loaded or resumed) writes the held lines out and lets
    the rest through as usual. A run that fails before that leaves the terminal to the error line alone; its set-up
    lines are in the work dir's log file, which MMEngine writes in any case.
    """

    priority = 'HIGHEST'

    def __init__(self) -> None:
        self.started = False
        self._terminal = None
        self._held = None

    def __enter__(self) -> 'HeldConsole':
        self._terminal = (sys.stdout, sys.stderr)
        self._held = (io.StringIO(), io.StringIO())
        sys.stdout, sys.stderr = self._held
        return self

    def _restore(self) -> None:
        sys.stdout, sys.stderr = self._terminal
        for logger in list(MMLogger._instance_dict.values()):  # MMEngine's loggers stream to the stdout they found
            for handler in getattr(logger, 'handlers', []):
                for held, terminal in zip(self._held, self._terminal):
                    if getattr(handler, 'stream', None) is held:
                        handler.setStream(terminal)

    def before_train(self, runner) -> None:
        if self.started or self._held is None:
            return
        self.started = True
        self._restore()
        for held, terminal in zip(self._held, self._terminal):
            terminal.write(held.getvalue())
            terminal.flush()

    def __exit__(self, exc_type, exc, traceback) -> None:
        if self.started:
            return
        if exc_type is None:  # the context ended without a training loop (nothing failed): show what was held
            self.before_train(None)
        else:
            self._restore()  # the set-up failed: its lines are in the log file; the error line follows alone
