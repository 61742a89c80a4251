"""Errors about what a user gave: a path, a config value, a checkpoint. Tools print them as one line (exit code 2).

Each message names the input and the fix. ``cledi.apis.run_tool`` turns an :class:`InputError` into
``error: <message>`` on stderr without a traceback (``--debug`` shows it).
"""


class InputError(Exception):
    """Bad input: the message names the input and how to fix it."""


class MissingInputError(InputError, FileNotFoundError):
    """A file or folder the input names does not exist."""


class UnreadableInputError(InputError, ValueError):
    """A file exists but cannot be read as what the input says it is (e.g. an image)."""


class CheckpointMismatchError(InputError, KeyError):
    """A checkpoint's weights do not fit the model (a checkpoint of another model)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ''


class DamagedCheckpointError(InputError, RuntimeError):
    """A checkpoint cannot be loaded (missing, empty, truncated, corrupt)."""
