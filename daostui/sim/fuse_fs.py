"""The simulated dfuse daemon: a real FUSE filesystem passing through to a container's directory.

Started by the simulated `start-dfuse.sh` when the machine can mount FUSE (see `fuse_mount`). It
mounts with dfuse's own libfuse options (src/client/dfuse/dfuse_core.c: `fsname=dfuse`,
`subtype=daos`, `default_permissions`, `noatime`), so the kernel lists it exactly as a real dfuse:
`dfuse <path> fuse.daos rw,nosuid,nodev,noatime,user_id=…,group_id=…,default_permissions 0 0`.
`statfs` answers like dfuse's (ops/statfs.c): pool-wide sizes, SCM + NVMe, in 1-byte blocks, so
`df` shows the pool.

The `hung_mount` knob stops the daemon (SIGSTOP) until the knob is cleared (SIGCONT): requests then
wait in the kernel, unread, so `ls`/`stat` on the mount really hang, and a killed `ls` really dies
(a request the daemon has not read is abandoned on a fatal signal; one it had read would keep the
process in D state until answered, which is why the daemon is stopped rather than made to sit on
its requests). A separate watcher process does the stopping, reading the knobs (the file is replaced
atomically, so no lock is needed); it ends when the daemon does or the mount is gone.

Run as `python -m daostui.sim.fuse_fs STATE_DIR MOUNTPOINT DATA_DIR POOL_UUID`.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import mfusepy

from daostui.sim import daos_state as ds
from daostui.sim import fuse_mount, kernel_mounts, knobs

#: How often the watcher process re-reads the knobs and the mount table.
WATCH_INTERVAL = 0.2
#: dfuse's statfs: f_files/f_ffree = -1 (as an unsigned 64-bit count), names up to 255 bytes.
UNLIMITED = 2**64 - 1


class DfuseFs(mfusepy.Operations):
    use_ns = True

    def __init__(self, directory: Path, root: str, pool_uuid: str) -> None:
        self.directory = directory
        self.root = root
        self.pool_uuid = pool_uuid

    def _path(self, path: str) -> str:
        return os.path.join(self.root, path.lstrip("/"))

    # ------------------------------------------------------------------ metadata
    def getattr(self, path: str, fh: int | None = None) -> dict[str, Any]:
        st = os.lstat(self._path(path))
        attrs = {key: getattr(st, key) for key in ("st_mode", "st_nlink", "st_uid", "st_gid", "st_size")}
        attrs.update(st_atime=st.st_atime_ns, st_mtime=st.st_mtime_ns, st_ctime=st.st_ctime_ns)
        return attrs

    def access(self, path: str, amode: int) -> int:
        if not os.access(self._path(path), amode):
            raise OSError(errno.EACCES, os.strerror(errno.EACCES))
        return 0

    def readdir(self, path: str, fh: int) -> list[str]:
        return [".", "..", *os.listdir(self._path(path))]

    def readlink(self, path: str) -> str:
        return os.readlink(self._path(path))

    def chmod(self, path: str, mode: int) -> int:
        os.chmod(self._path(path), mode)
        return 0

    def chown(self, path: str, uid: int, gid: int) -> int:
        os.lchown(self._path(path), uid, gid)
        return 0

    def utimens(self, path: str, times: tuple[int, int] | None = None) -> int:
        os.utime(self._path(path), ns=times, follow_symlinks=False)
        return 0

    def statfs(self, path: str) -> dict[str, int]:
        data = ds.load_state(self.directory)
        pool = ds.find_pool(data, self.pool_uuid)
        if pool is None:
            raise OSError(errno.ENOENT, os.strerror(errno.ENOENT))
        tiers = ds.pool_info(self.directory, pool)["tier_stats"]
        blocks = sum(t["total"] for t in tiers)
        free = sum(t["free"] for t in tiers)
        return {
            "f_bsize": 1,
            "f_frsize": 1,
            "f_blocks": blocks,
            "f_bfree": free,
            "f_bavail": free,
            "f_files": UNLIMITED,
            "f_ffree": UNLIMITED,
            "f_favail": UNLIMITED,
            "f_namemax": 255,
        }

    # ------------------------------------------------------------------ namespace
    def mkdir(self, path: str, mode: int) -> int:
        os.mkdir(self._path(path), mode)
        return 0

    def rmdir(self, path: str) -> int:
        os.rmdir(self._path(path))
        return 0

    def unlink(self, path: str) -> int:
        os.unlink(self._path(path))
        return 0

    def symlink(self, target: str, source: str) -> int:
        os.symlink(source, self._path(target))
        return 0

    def link(self, target: str, source: str) -> int:
        os.link(self._path(source), self._path(target))
        return 0

    def rename(self, old: str, new: str) -> int:
        os.rename(self._path(old), self._path(new))
        return 0

    # ------------------------------------------------------------------ data
    def open(self, path: str, flags: int) -> int:
        return os.open(self._path(path), flags)

    def create(self, path: str, mode: int, fi: Any = None) -> int:
        return os.open(self._path(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)

    def read(self, path: str | None, size: int, offset: int, fh: int) -> bytes:
        return os.pread(fh, size, offset)

    def write(self, path: str | None, data: bytes, offset: int, fh: int) -> int:
        return os.pwrite(fh, data, offset)

    def truncate(self, path: str | None, length: int, fh: int | None = None) -> int:
        if fh is not None:
            os.ftruncate(fh, length)
        else:
            os.truncate(self._path(path or "/"), length)
        return 0

    def flush(self, path: str | None, fh: int) -> int:
        return 0

    def fsync(self, path: str | None, datasync: int, fh: int) -> int:
        (os.fdatasync if datasync else os.fsync)(fh)
        return 0

    def release(self, path: str | None, fh: int) -> int:
        os.close(fh)
        return 0


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def watch(directory: Path, mountpoint: str, daemon: int) -> None:
    """The watcher process: SIGSTOP the daemon while the mount is hung, SIGCONT when it is not."""
    knobs_file = directory / "knobs.json"
    seen: int | None = -1
    stopped = mounted_once = False
    while fuse_mount.alive(daemon) and os.getppid() == daemon:
        try:
            stamp: int | None = knobs_file.stat().st_mtime_ns
        except OSError:
            stamp = None
        if stamp != seen:
            seen = stamp
            hung = stamp is not None and knobs.hung_in(_read(knobs_file), mountpoint)
            if hung != stopped:
                os.kill(daemon, signal.SIGSTOP if hung else signal.SIGCONT)
                stopped = hung
        mounted = kernel_mounts.is_mounted(mountpoint)
        mounted_once = mounted_once or mounted
        if mounted_once and not mounted:
            break
        time.sleep(WATCH_INTERVAL)
    if stopped and fuse_mount.alive(daemon):
        os.kill(daemon, signal.SIGCONT)  # let it see its unmount and exit


def serve(directory: Path, mountpoint: str, root: str, pool_uuid: str) -> int:
    """Mount and answer requests until the mount is gone (`fusermount3 -u`, or lazy unmount)."""
    daemon = os.getpid()
    if os.fork() == 0:  # before any thread exists
        try:
            watch(directory, mountpoint, daemon)
        finally:
            os._exit(0)
    try:
        mfusepy.FUSE(
            DfuseFs(directory, root, pool_uuid),
            mountpoint,
            foreground=True,
            fsname="dfuse",
            subtype="daos",
            default_permissions=True,
            noatime=True,
        )
    except RuntimeError as exc:  # libfuse's own message is already on stderr
        sys.stderr.write(f"dfuse (simulated): fuse_main failed: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    state, mnt, data_dir, pool = sys.argv[1:5]
    raise SystemExit(serve(Path(state), mnt, data_dir, pool))
