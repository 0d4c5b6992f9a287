"""Real kernel mounts for the simulator: when FUSE works here, a login-node dfuse mount is a real one.

`usable()` says whether this machine can: `/dev/fuse` readable and writable, the real `fusermount3`
on PATH (not the simulator's own), and the `mfusepy` binding with libfuse 3 importable.
`DAOSTUI_SIM_FUSE` chooses: `auto` (default: real where usable), `0`/`off` (never), `1`/`on` (always;
a mount fails with the reason when FUSE is unusable). When a real mount fails to appear in `auto`
mode, the reason is remembered in `<state>/fuse-unusable` and the simulator keeps to its
table-file mounts.

Every daemon is recorded with its pid in the mounts registry; `release_all` (used by `daostui demo
--reset` and by test teardown) unmounts lazily and ends the daemons, so nothing is left behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from daostui.sim import kernel_mounts, mount_table, store

ENV = "DAOSTUI_SIM_FUSE"
MARKER = "fuse-unusable"
#: How long start-dfuse.sh waits for the daemon's mount to appear (dfuse's parent waits too).
MOUNT_WAIT = 15.0
#: How long a daemon gets to exit after its mount is gone, before it is killed.
EXIT_WAIT = 3.0


def mode() -> str:
    value = os.environ.get(ENV, "auto").strip().lower()
    if value in ("0", "off", "no", "false"):
        return "off"
    if value in ("1", "on", "yes", "true"):
        return "on"
    return "auto"


def real_fusermount(directory: Path) -> str | None:
    """The system's fusermount3, never the simulator's shim of the same name."""
    bin_dir = os.path.realpath(directory / "bin")
    search = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and os.path.realpath(p) != bin_dir]
    return shutil.which("fusermount3", path=os.pathsep.join([*search, "/usr/bin", "/bin"]))


def problem(directory: Path) -> str:
    """Why real FUSE mounts cannot be made here ("" when they can)."""
    if mode() == "off":
        return f"{ENV}=0"
    if mode() == "auto" and (directory / MARKER).exists():
        return (directory / MARKER).read_text().strip() or "an earlier real mount failed"
    if not os.access("/dev/fuse", os.R_OK | os.W_OK):
        return "/dev/fuse is missing or not readable and writable"
    if real_fusermount(directory) is None:
        return "fusermount3 is not installed (Debian: apt-get install fuse3)"
    try:
        import mfusepy  # noqa: F401 - loads libfuse3 through ctypes
    except ImportError as exc:
        return f"the mfusepy FUSE binding is missing: {exc} (it comes with daostui: reinstall daostui)"
    except (OSError, AttributeError) as exc:
        return f"libfuse 3 could not be loaded: {exc} (Debian: apt-get install fuse3)"
    return ""


def usable(directory: Path) -> bool:
    return not problem(directory)


def give_up(directory: Path, reason: str) -> None:
    """Auto mode: remember that real mounts do not work here, so later mounts use the table file."""
    with contextlib.suppress(OSError):
        (directory / MARKER).write_text(reason + "\n")


def start(directory: Path, mountpoint: str, root: Path, pool_uuid: str) -> tuple[int | None, str]:
    """Start a daemon serving `root` at `mountpoint`; (its pid, "") once mounted, else (None, why)."""
    log = directory / "dfuse-logs"
    log.mkdir(exist_ok=True)
    with open(log / f"{os.getpid()}.{time.time_ns()}.log", "ab") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "daostui.sim.fuse_fs", str(directory), mountpoint, str(root), pool_uuid],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
            env={**os.environ, "DAOSTUI_SIM_DIR": str(directory)},
        )
    deadline = time.monotonic() + MOUNT_WAIT
    while time.monotonic() < deadline:
        if kernel_mounts.is_mounted(mountpoint):
            return proc.pid, ""
        if proc.poll() is not None:
            return None, f"the FUSE daemon exited with status {proc.returncode} before mounting"
        time.sleep(0.02)
    stop_daemon(proc.pid)
    return None, f"the FUSE mount did not appear within {MOUNT_WAIT:.0f}s"


def fusermount(directory: Path, *args: str) -> tuple[int, str]:
    """Run the real fusermount3; (exit status, its stderr verbatim)."""
    tool = real_fusermount(directory)
    if tool is None:
        return 1, "fusermount3: command not found\n"
    # argv[0] as users type it: fusermount3 prefixes its messages with it
    done = subprocess.run(
        ["fusermount3", *args], executable=tool, capture_output=True, text=True, timeout=30, check=False
    )
    return done.returncode, done.stderr


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        if Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z"):
            return False  # a zombie: exited, not yet reaped by its (gone) parent
    return True


def stop_daemon(pid: int | None, wait: float = EXIT_WAIT) -> None:
    """Let the daemon exit after its unmount; end it if it does not (SIGTERM, then SIGKILL)."""
    if not pid:
        return
    for sig in (None, signal.SIGTERM, signal.SIGKILL):
        if sig is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
                os.kill(pid, signal.SIGCONT)  # a daemon stopped by the hung_mount knob handles it now
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not alive(pid):
                return
            time.sleep(0.02)


def release(directory: Path, path: str, entry: dict[str, Any]) -> None:
    """Lazily unmount one real mount (busy or hung alike) and end its daemon."""
    if kernel_mounts.is_mounted(path):
        fusermount(directory, "-u", "-z", path)
    stop_daemon(entry.get("pid"), wait=1.0)


def release_all(directory: Path) -> None:
    """Every real mount this state directory made: unmounted lazily, daemons ended, records dropped."""
    directory = Path(directory)
    if not (directory / "mounts.json").exists():
        return
    with store.lock(directory):
        mounts = store.load(directory, "mounts")
        real = {path: entry for path, entry in mounts.items() if entry.get("real")}
        for path, entry in real.items():
            release(directory, path, entry)
            del mounts[path]
        if real:
            store.save(directory, "mounts", mounts)
            mount_table.sync_login_table(directory, mounts)
