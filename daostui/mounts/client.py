"""dfuse mounts: list them, mount with start-dfuse.sh, unmount with fusermount3, probe health.

The mounts table is read with `cat` through the transport, so it works over ssh and in demo mode
(where the table is the simulator's file). ALCF's `start-dfuse.sh` exits 0 even when dfuse fails,
so a mount is confirmed by re-reading the table. The probe lists the mount point with a timeout:
a hung dfuse mount blocks `ls` in the kernel, so a timeout means "hung", never a blocked console.
"""

from __future__ import annotations

import json
import posixpath
import shlex
from pathlib import Path

from daostui.core.errors import MountError, ParseError, StateCheck, outcome_unknown
from daostui.core.site import SiteProfile
from daostui.mounts.models import Mount, MountHealth
from daostui.mounts.parse import dfuse_mounts, parse_mounts
from daostui.transport.base import CommandResult, Identity, Transport

PROBE_TIMEOUT = 5.0
#: The small file the write/read check leaves in the container, so users can see it there.
CHECK_FILE = "hello-from-daostui.txt"
CHECK_TEXT = "hello from daostui\n"


class MountsClient:
    def __init__(
        self,
        transport: Transport,
        site: SiteProfile,
        *,
        user: str | Identity,
        table_path: str | None = None,
        owned_file: Path | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.transport = transport
        self.site = site
        #: Whose mount points these are: the session's identity (the remote user over ssh).
        self.identity = user if isinstance(user, Identity) else Identity(user)
        self.table_path = table_path or site.mounts_table
        self.owned_file = owned_file
        self.timeout = timeout

    @property
    def user(self) -> str:
        return self.identity.user

    # ------------------------------------------------------------------ argv
    def argv_list(self) -> list[str]:
        return ["cat", self.table_path]

    def default_mount_point(self, pool: str, cont: str) -> str:
        return self.site.login_mount_point(self.user, pool, cont)

    def argv_mount(self, pool: str, cont: str, path: str) -> list[list[str]]:
        return [["mkdir", "-p", path], [self.site.start_dfuse, "-m", path, "--pool", pool, "--cont", cont]]

    def argv_unmount(self, path: str) -> list[str]:
        return ["fusermount3", "-u", path]

    def argv_probe(self, path: str) -> list[str]:
        return ["ls", "-A", "--", path]

    def check_file(self, path: str) -> str:
        return posixpath.join(path, CHECK_FILE)

    def argv_write_check(self, path: str) -> list[list[str]]:
        """The tutorial's `echo hello > file; cat file`, as argv: `tee` reads the text from stdin."""
        target = self.check_file(path)
        return [["tee", "--", target], ["cat", "--", target]]

    # ------------------------------------------------------------------ owned mounts registry
    def _owned(self) -> dict[str, dict[str, str]]:
        if self.owned_file is None:
            return {}
        try:
            data = json.loads(self.owned_file.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save_owned(self, owned: dict[str, dict[str, str]]) -> None:
        if self.owned_file is None:
            return
        try:
            self.owned_file.parent.mkdir(parents=True, exist_ok=True)
            self.owned_file.write_text(json.dumps(owned, indent=1))
        except OSError:
            # the mount itself worked; only the "ours" marker is lost (the state dir is not writable)
            return

    # ------------------------------------------------------------------ operations
    def _identify(self, path: str) -> tuple[str, str]:
        """(pool, container) of a mount from daostui's registry or the path conventions."""
        owned = self._owned().get(path)
        if owned:
            return owned.get("pool", ""), owned.get("container", "")
        for root in (self.site.expand(self.site.login_mount_root, self.user), self.site.compute_mount_root):
            root = posixpath.normpath(root)
            if path.startswith(root.rstrip("/") + "/"):
                parts = path[len(root.rstrip("/")) + 1 :].split("/")
                if len(parts) == 2:
                    return parts[0], parts[1]
        return "", ""

    async def list(self) -> list[Mount]:
        result = await self.transport.run(self.argv_list(), timeout=self.timeout)
        if not result.ok:
            raise MountError(
                f"cannot read the mounts table {self.table_path}",
                result,
                hint="The mounts table should always be readable; check the site setting mounts_table.",
            )
        try:
            entries = dfuse_mounts(parse_mounts(result.stdout)) if result.stdout.strip() else []
        except ParseError as exc:
            raise MountError(f"mounts table not understood: {exc}", result) from None
        owned = self._owned()
        mounts = []
        for entry in entries:
            pool, cont = self._identify(entry.path)
            mounts.append(
                Mount(
                    path=entry.path,
                    pool=pool,
                    container=cont,
                    owned=entry.path in owned,
                    user_id=entry.option("user_id") or "",
                    read_only="ro" in entry.options,
                    options=entry.options,
                )
            )
        return mounts

    async def mount(self, pool: str, cont: str, path: str | None = None) -> Mount:
        path = self.site.validate_mount_point(path or self.default_mount_point(pool, cont), self.user)
        mkdir, start = self.argv_mount(pool, cont, path)
        made = await self.transport.run(mkdir, timeout=self.timeout)
        if not made.ok:
            raise MountError(
                f"cannot create the mount point {path}",
                made,
                hint="Check permissions of the parent directory.",
            )
        started = await self.transport.run(start, timeout=max(self.timeout, 120))
        if started.outcome_unknown:
            raise outcome_unknown(started)
        if started.error or started.timed_out or started.cancelled:
            raise MountError(
                f"{self.site.start_dfuse} did not finish: {started.outcome}",
                started,
                hint="module load daos/base provides start-dfuse.sh; run the Doctor (D).",
            )
        mounts = await self.list()
        found = next((m for m in mounts if m.path == path), None)
        if found is None:
            detail = (started.stdout + started.stderr).strip().splitlines()
            raise MountError(
                f"dfuse did not mount {pool}/{cont} at {path}" + (f": {detail[-1]}" if detail else ""),
                started,
                hint="start-dfuse.sh exits 0 even when dfuse fails: check the container name and health "
                "(get-prop status), and that the DAOS agent runs (Doctor, D).",
            )
        owned = self._owned()
        owned[path] = {"pool": pool, "container": cont}
        self._save_owned(owned)
        found.owned, found.pool, found.container = True, pool, cont
        return found

    async def unmount(self, path: str) -> None:
        result = await self.transport.run(self.argv_unmount(path), timeout=self.timeout)
        if result.outcome_unknown:
            raise outcome_unknown(result)
        if not result.ok:
            busy = "busy" in (result.stderr + result.stdout).lower()
            raise MountError(
                f"could not unmount {path}" + (": it is busy" if busy else ""),
                result,
                hint="A process still uses it: cd out of it and close its files, then retry."
                if busy
                else "Check that it is mounted (`mount | grep dfuse`).",
            )
        owned = self._owned()
        if owned.pop(path, None) is not None:
            self._save_owned(owned)

    async def check_mounted(self, path: str, *, mounted: bool = True) -> StateCheck:
        """After a mount (`mounted=True`) or unmount whose outcome is unknown: is `path` in the table?"""
        found = tuple(m.path for m in await self.list() if m.path == path)
        command = shlex.join(self.argv_list())
        if mounted:
            if found:
                return StateCheck(True, f"{path} is mounted: the mount went through.", command, found)
            return StateCheck(False, f"{path} is not mounted: the mount did not happen.", command)
        if found:
            return StateCheck(False, f"{path} is still mounted: it was not unmounted.", command, found)
        return StateCheck(True, f"{path} is no longer mounted: it was unmounted.", command)

    async def probe(self, path: str, timeout: float = PROBE_TIMEOUT) -> MountHealth:
        result: CommandResult = await self.transport.run(self.argv_probe(path), timeout=timeout)
        if result.timed_out:
            return MountHealth("hung", f"listing did not answer within {timeout:.0f}s")
        if result.ok:
            count = len([line for line in result.stdout.splitlines() if line])
            return MountHealth("ok", f"{count} entr{'y' if count == 1 else 'ies'}")
        text = result.stderr + result.error
        if "Transport endpoint is not connected" in text or "Stale" in text:
            return MountHealth("stale", text.strip().splitlines()[-1] if text.strip() else "stale")
        if "No such file" in text:
            return MountHealth("missing", "mount point does not exist")
        return MountHealth("error", text.strip().splitlines()[-1] if text.strip() else result.outcome)

    async def write_check(self, path: str) -> str:
        """Write a small file through the mount and read it back; returns what was read.

        A mount that accepts the write but returns something else (or hangs) is broken for real
        I/O even if `ls` works, which is why the tutorial has users do this by hand.
        """
        write_argv, read_argv = self.argv_write_check(path)
        wrote = await self.transport.run(write_argv, stdin=CHECK_TEXT, timeout=PROBE_TIMEOUT)
        if not wrote.ok:
            raise MountError(
                f"could not write a file under {path}",
                wrote,
                hint="Check the mount is healthy (probe it in the mounts pane) and that you own the container.",
            )
        read = await self.transport.run(read_argv, timeout=PROBE_TIMEOUT)
        if not read.ok or read.stdout != CHECK_TEXT:
            raise MountError(
                f"reading back {self.check_file(path)} did not return what was written",
                read,
                hint="The mount is not serving data correctly: unmount it, remount, and run the doctor (D).",
            )
        return read.stdout
