"""Private files and directories on this host, created with their mode whatever the umask.

Job scripts and their directories are the user's business only: a shared login node has hundreds
of accounts, so a script is 0600 (0700 when it is executed directly) and a directory daostui
creates is 0700. A symlink planted at the file's name is never followed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from daostui.core import paths
from daostui.core.errors import TransportError


def make_dirs(path: Path, mode: int = 0o700) -> None:
    """Create `path` and its missing parents with `mode`; existing directories are left as they are."""
    missing: list[Path] = []
    current = path
    while True:
        try:
            info = current.stat()
        except FileNotFoundError:
            missing.append(current)
            if current.parent == current:
                break
            current = current.parent
            continue
        except OSError as exc:
            raise TransportError(f"cannot create {path}: {exc.strerror or exc}") from exc
        if not stat.S_ISDIR(info.st_mode):
            raise TransportError(f"cannot create {path}: {current} is not a directory")
        break
    for directory in reversed(missing):
        try:
            directory.mkdir(mode)
            os.chmod(directory, mode)
        except FileExistsError:
            continue  # made by someone else meanwhile
        except OSError as exc:
            raise TransportError(f"cannot create {directory}: {exc.strerror or exc}") from exc


def write_private(path: Path, data: bytes, mode: int = 0o600, exclusive: bool = True) -> None:
    """Write `data` to `path` with exactly `mode`; never follows a symlink; `exclusive` never replaces.

    The one private-file writer (core/paths.py) does the work; the directory is the user's own
    choice here (a project directory may be shared on purpose), so its mode is left alone.
    """
    try:
        paths.write_private(path, data, mode=mode, exclusive=exclusive, private_parent=False)
    except FileExistsError:
        raise
    except OSError as exc:
        raise TransportError(f"cannot write {path}: {exc.strerror or exc}") from exc
