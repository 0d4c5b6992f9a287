"""Unexpected exceptions (bugs, not command failures) are shown to the user and kept on disk.

A worker that raises must never take the console down (every worker has `exit_on_error=False`);
the user sees the error where it happened, and the traceback lands in `errors.log` in the state
dir so a bug report has something to attach. The file is private (0600 in the 0700 state dir):
tracebacks carry paths, names and command output.
"""

from __future__ import annotations

import time
import traceback

from daostui.core import paths
from daostui.core.errors import DaostuiError


def record(exc: BaseException, where: str) -> str | None:
    """Append the traceback of an unexpected error; returns the log's path (None for expected errors)."""
    if isinstance(exc, DaostuiError):
        return None
    path = paths.error_log_file()
    try:
        with paths.open_private_append(path) as handle:
            handle.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} in {where}\n")
            handle.write("".join(traceback.format_exception(exc)))
    except OSError:
        return None
    return str(path)
