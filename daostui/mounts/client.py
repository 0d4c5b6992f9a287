"""dfuse mounts: list them, mount with start-dfuse.sh, unmount with fusermount3, probe health.

The mounts table is read with `cat` through the transport, so it works over ssh and in demo mode
(where the table is the simulator's file). ALCF's `start-dfuse.sh` exits 0 even when dfuse fails,
so a mount is confirmed by re-reading the table. The probe lists the mount point with a timeout:
a hung dfuse mount blocks `ls` in the kernel, so a timeout means "hung", never a blocked console.
Right before `start-dfuse.sh`, and again before the write/read check, every directory from the
allowed root down to the mount point is checked on the host where the mount happens (`safety`):
real directories owned by the user, so another account's planted `/tmp/<user>` cannot catch it.
"""

from __future__ import annotations

import json
import posixpath
import shlex
from pathlib import Path

from daostui.core import paths
from daostui.core.errors import MountError, ParseError, StateCheck, ValidationError, outcome_unknown
from daostui.core.readonly import Access, mutating
from daostui.core.site import SiteProfile
from daostui.mounts import safety
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
        access: Access | None = None,
    ) -> None:
        self.transport = transport
        #: Shared with the session's other clients: read-only refuses every @mutating method.
        self.access = access or Access()
        self.site = site
        #: Whose mount points these are: the session's identity (the remote user over ssh).
        self.identity = user if isinstance(user, Identity) else Identity(user)
        self.table_path = table_path or site.mounts_table
        self.owned_file = owned_file
        self.timeout = timeout
        self._uid: int | None = None

    @property
    def user(self) -> str:
        return self.identity.user

    @property
    def home(self) -> str | None:
        """The home directory where mounts happen (the login node's over ssh), once known."""
        return self.identity.home or None

    # ------------------------------------------------------------------ argv
    def argv_list(self) -> list[str]:
        return ["cat", self.table_path]

    def default_mount_point(self, pool: str, cont: str) -> str:
        return self.site.login_mount_point(self.user, pool, cont, self.home)

    def _chain(self, path: str) -> list[str]:
        """The directories the safety check looks at: allowed root down to `path` (validated)."""
        path = self.site.validate_mount_point(path, self.user, self.home)
        roots = [self.site.expand(root, self.user, self.home) for root in self.site.allowed_mount_roots]
        return safety.chain(safety.allowed_root(path, roots), path)

    def argv_check(self, path: str) -> list[str]:
        """The `stat` that checks the mount point and the directories above it (shown before a mount)."""
        try:
            return safety.argv_stat(self._chain(path))
        except ValidationError:
            return safety.argv_stat([path])

    def argv_start(self, pool: str, cont: str, path: str) -> list[str]:
        return [self.site.start_dfuse, "-m", path, "--pool", pool, "--cont", cont]

    def argv_mount(self, pool: str, cont: str, path: str) -> list[list[str]]:
        """What a mount runs: the ownership check (`stat`; missing directories are then made with
        `mkdir -m 0700`, one at a time), then start-dfuse.sh."""
        return [self.argv_check(path), self.argv_start(pool, cont, path)]

    def argv_unmount(self, path: str) -> list[str]:
        return ["fusermount3", "-u", path]

    def argv_probe(self, path: str) -> list[str]:
        return ["ls", "-A", "--", path]

    def check_file(self, path: str) -> str:
        return posixpath.join(path, CHECK_FILE)

    def argv_write_check(self, path: str) -> list[list[str]]:
        """The mounts table and the ownership check, then the tutorial's `echo hello > file; cat
        file` as argv (`tee` reads the text from stdin)."""
        target = self.check_file(path)
        return [self.argv_list(), self.argv_check(path), ["tee", "--", target], ["cat", "--", target]]

    # ------------------------------------------------------------------ mount point safety
    async def _user_id(self) -> int:
        """The user's uid where the mount happens (the login node over ssh), asked once."""
        if self._uid is None:
            result = await self.transport.run(safety.argv_uid(), timeout=self.timeout)
            if not result.ok:
                raise MountError("cannot learn your user id (`id -u`)", result)
            try:
                self._uid = safety.parse_uid(result.stdout)
            except ParseError as exc:
                raise MountError(str(exc), result) from None
        return self._uid

    async def _decide(self, paths: list[str], *, leaf_is_mount: bool) -> safety.Decision:
        uid = await self._user_id()
        result = await self.transport.run(safety.argv_stat(paths), timeout=self.timeout)
        if result.error or result.timed_out or result.cancelled:
            raise MountError(f"could not check the mount point {paths[-1]}: {result.outcome}", result)
        try:
            infos = safety.parse_stat(result.stdout)
        except ParseError as exc:
            raise MountError(f"could not check the mount point {paths[-1]}: {exc}", result) from None
        decision = safety.decide(paths, infos, uid, leaf_is_mount=leaf_is_mount)
        if decision.problem:
            raise MountError(f"refused to use {paths[-1]}: {decision.problem}", result, hint=decision.advice)
        return decision

    async def ensure_mount_point(self, path: str) -> None:
        """Check the directories from the allowed root down to `path`, create missing ones 0700
        one at a time, and check again; MountError says who owns what and what to do."""
        paths = self._chain(path)
        decision = await self._decide(paths, leaf_is_mount=False)
        for directory in decision.missing:
            made = await self.transport.run(safety.argv_mkdir(directory), timeout=self.timeout)
            if not made.ok:
                raise MountError(
                    f"cannot create {directory}",
                    made,
                    hint="Check the directory above it: it must exist and be yours.",
                )
        if decision.missing:
            again = await self._decide(paths, leaf_is_mount=False)
            if again.missing:
                raise MountError(f"{again.missing[0]} is still missing after mkdir", None)

    async def ensure_mounted_here(self, path: str) -> None:
        """Before writing through `path`: it is a dfuse mount, and the directories above it are
        real and the user's (a file written there must land in the container, nowhere else)."""
        mounts = await self.list()
        if not any(m.path == path for m in mounts):
            raise MountError(
                f"{path} is not a dfuse mount: a file written there would land in the bare directory, "
                "not in the container",
                None,
                hint="Mount the container first (m), then run the check.",
            )
        await self._decide(self._chain(path), leaf_is_mount=True)

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
            paths.write_private(self.owned_file, json.dumps(owned, indent=1))
        except OSError:
            # the mount itself worked; only the "ours" marker is lost (the state dir is not writable)
            return

    # ------------------------------------------------------------------ operations
    def _identify(self, path: str) -> tuple[str, str]:
        """(pool, container) of a mount from daostui's registry or the path conventions."""
        owned = self._owned().get(path)
        if owned:
            return owned.get("pool", ""), owned.get("container", "")
        for root in (
            self.site.expand(self.site.login_mount_root, self.user, self.home),
            self.site.compute_mount_root,
        ):
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

    @mutating("mount a container (start-dfuse.sh)")
    async def mount(self, pool: str, cont: str, path: str | None = None) -> Mount:
        path = self.site.validate_mount_point(
            path or self.default_mount_point(pool, cont), self.user, self.home
        )
        if any(m.path == path for m in await self.list()):
            raise MountError(
                f"{path} is already a dfuse mount",
                None,
                hint=f"Use it as it is, or unmount it first: fusermount3 -u {path}",
            )
        await self.ensure_mount_point(path)
        started = await self.transport.run(self.argv_start(pool, cont, path), timeout=max(self.timeout, 120))
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

    @mutating("unmount a dfuse mount (fusermount3 -u)")
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

    @mutating("write a test file through a mount")
    async def write_check(self, path: str) -> str:
        """Write a small file through the mount and read it back; returns what was read.

        A mount that accepts the write but returns something else (or hangs) is broken for real
        I/O even if `ls` works, which is why the tutorial has users do this by hand.
        """
        await self.ensure_mounted_here(path)
        _table, _check, write_argv, read_argv = self.argv_write_check(path)
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
