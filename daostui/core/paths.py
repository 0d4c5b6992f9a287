"""Where daostui keeps its files (XDG dirs via platformdirs), overridable for tests and users, and
the one way every state file is written: private to its owner, whatever the umask.

A login node is shared: the command log holds the full output of every command, the wizard's
progress names pools and containers, job scripts name projects. So the state dir is 0700 and
every file in it 0600, files are created with those modes from the start (never chmod-ed after
a world-readable moment), and files left looser by an older version are tightened when written.
Directories are created when something is written, never on import.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import IO

from platformdirs import user_config_dir, user_state_dir

APP = "daostui"
#: Modes of private directories and files; job scripts are never executed directly (qsub reads them).
DIR_MODE = 0o700
FILE_MODE = 0o600


def state_dir() -> Path:
    return Path(os.environ.get("DAOSTUI_STATE_DIR") or user_state_dir(APP))


def config_dir() -> Path:
    return Path(user_config_dir(APP))


def config_file() -> Path:
    return Path(os.environ.get("DAOSTUI_CONFIG") or config_dir() / "config.toml")


#: The site config staff install once for every user (under the user's own config).
DEFAULT_SITE_CONFIG = Path("/etc/daostui/config.toml")


def site_config_file() -> Path | None:
    """`$DAOSTUI_SITE_CONFIG` (set but empty: no site layer), else /etc/daostui/config.toml."""
    value = os.environ.get("DAOSTUI_SITE_CONFIG")
    if value is None:
        return DEFAULT_SITE_CONFIG
    return Path(value) if value else None


def command_log_file() -> Path:
    return state_dir() / "commands.jsonl"


def demo_dir() -> Path:
    return state_dir() / "demo"


def wizard_state_file() -> Path:
    return state_dir() / "wizard.json"


def owned_mounts_file() -> Path:
    return state_dir() / "mounts-owned.json"


def requests_dir() -> Path:
    return state_dir() / "requests"


def form_memory_file() -> Path:
    """What the job forms remember between openings (their last values and their own script)."""
    return state_dir() / "forms.json"


def reports_dir() -> Path:
    """Doctor reports saved for a support ticket."""
    return state_dir() / "reports"


def error_log_file() -> Path:
    """Tracebacks of unexpected errors (bugs): shown to the user, kept here for a bug report."""
    return state_dir() / "errors.log"


# ---------------------------------------------------------------------- private files
def _tighten(fd_or_path: int | Path, mode: int, current: int) -> None:
    """Drop group/other bits (keep the owner's): only ever narrows what an older version left."""
    if stat.S_IMODE(current) & 0o077:
        narrowed = stat.S_IMODE(current) & ~0o077 & 0o7777 or mode
        if isinstance(fd_or_path, int):
            os.fchmod(fd_or_path, narrowed)
        else:
            os.chmod(fd_or_path, narrowed)


def private_dir(path: Path) -> Path:
    """`path` as a directory only its owner can enter (0700), created with missing parents.

    Directories created here are 0700 from the start (`mkdir` with that mode, then `chmod`
    because the umask may have removed bits, never added). Existing directories of ours with
    group/other bits are tightened: `path` itself, and every directory from the state dir down
    to it when it lies inside the state dir. A symlink owned by another account is refused: it would
    redirect our files to a place of its choosing.
    """
    path = Path(path)
    missing: list[Path] = []
    probe = path
    while not probe.exists() and not probe.is_symlink():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, DIR_MODE)
        except FileExistsError:
            continue  # made meanwhile (by us or not): checked below like any existing one
        os.chmod(directory, DIR_MODE)
    root = state_dir()
    chain = [path]
    if path.is_relative_to(root):
        parts = path.relative_to(root).parts
        chain = [root, *(root.joinpath(*parts[: i + 1]) for i in range(len(parts)))]
    for directory in chain:
        info = os.lstat(directory)
        if stat.S_ISLNK(info.st_mode):
            if info.st_uid != os.geteuid():
                raise NotADirectoryError(
                    f"{directory} is a symlink owned by uid {info.st_uid}, not by you: "
                    "daostui will not write where another account points it"
                )
            info = os.stat(directory)
        if not stat.S_ISDIR(info.st_mode):
            raise NotADirectoryError(f"{directory} is not a directory: daostui will not write there")
        if info.st_uid == os.geteuid():
            _tighten(directory, DIR_MODE, info.st_mode)
    return path


def _open_private(path: Path, flags: int, mode: int) -> int:
    """An fd on `path` opened without following a final symlink, created with `mode`, tightened."""
    fd = os.open(path, flags | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    try:
        info = os.fstat(fd)
        if info.st_uid == os.geteuid():
            _tighten(fd, mode, info.st_mode)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_private_append(path: Path, *, encoding: str = "utf-8") -> IO[str]:
    """Open `path` for appending (a log), creating it 0600 in a 0700 directory."""
    path = Path(path)
    private_dir(path.parent)
    fd = _open_private(path, os.O_WRONLY | os.O_APPEND, FILE_MODE)
    return os.fdopen(fd, "a", encoding=encoding)


def write_private(
    path: Path,
    data: str | bytes,
    *,
    mode: int = FILE_MODE,
    exclusive: bool = False,
    private_parent: bool = True,
) -> Path:
    """Write `path` whole with `mode` (0600 by default), in a 0700 directory.

    Written to a private temporary file and renamed over `path`, so a reader never sees half a
    file and the result never has a looser mode, even for a moment. `exclusive` refuses to replace
    an existing file (FileExistsError), for callers that must never overwrite. `private_parent=False`
    leaves the directory's mode alone (a job script in the user's own working directory, which
    may be shared with the project on purpose); missing directories are still created 0700.
    """
    path = Path(path)
    if private_parent or not path.parent.is_dir():
        private_dir(path.parent)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if exclusive:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(payload)
        return path
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mkstemp creates 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(payload)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path
