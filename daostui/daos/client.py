"""The DAOS client: builds `daos` argv, runs it through a transport, returns models.

Every operation has a pure argv builder (the console shows the exact command before it runs) and
an async method. JSON (`daos -j`, global flag first, as DAOS's own tests do) is preferred; the
text layouts are the fallback when stdout is not JSON, and the only form for autotest and checks.
Failures raise `DaosError` with the DER name and number and a hint saying what to do next.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from daostui.core.errors import (
    DaosError,
    DaostuiError,
    OutcomeUnknownError,
    ParseError,
    StateCheck,
    outcome_unknown,
)
from daostui.core.offload import is_big, offload
from daostui.core.readonly import Access, mutating
from daostui.transport.base import CommandResult, Transport

if TYPE_CHECKING:
    from types import ModuleType

    from daostui.daos.models import (
        AutotestResult,
        ContainerCheckResult,
        ContainerInfo,
        ContainerProperties,
        ContainerRef,
        ContainerSnapshot,
        DaosVersion,
        FsCheckResult,
        FsCopyResult,
        Pool,
    )
    from daostui.daos.presets import ContainerCreateRequest


def _parse() -> ModuleType:
    """The parsers and models load on the first command, not at start-up (the first frame comes first)."""
    from daostui.daos import parse

    return parse


T = TypeVar("T")
MODULE_HINT = "module use /soft/modulefiles; module load daos/base   (or: module load daos)"
HINTS = {
    "DER_NONEXIST": "Check the name: `daos pool list` shows your pools, `daos cont list POOL` its containers.",
    "DER_NO_PERM": "You are not in this pool's or container's ACL: ask its owner or your project PI to add you.",
    "DER_EXIST": "A container with this label already exists in the pool: pick another label.",
    "DER_UNREACH": "Is the DAOS agent running? `ps -ef | grep daos_agent`; then " + MODULE_HINT,
    "DER_TIMEDOUT": "The DAOS servers are slow or down: retry later; check ALCF status pages.",
    "DER_HG": "Network error: on compute nodes use `mpiexec --no-vni`; otherwise retry or contact support.",
    "DER_AGENT_COMM": "Cannot talk to the DAOS agent: `ps -ef | grep daos_agent`; " + MODULE_HINT,
    "DER_RF": "Container UNCLEAN: `daos cont set-prop POOL CONT status:HEALTHY`, then "
    "`daos fs check --flags=evict POOL CONT` (the Doctor offers it).",
    "DER_BUSY": "The container is open or mounted: unmount it (fusermount3 -u PATH) or destroy with --force.",
    "DER_NOSPACE": "The pool is full: delete data, or copy it to flare and destroy old containers.",
    "DER_INVAL": "A value was rejected: check the property names and values.",
}
HARMLESS = (
    (re.compile(r"Out of group or member list|DER_OOG"), "DER_OOG (Out of group or member list): harmless"),
    (re.compile(r"DER_FETCH_AGAIN"), "DER_FETCH_AGAIN log lines: harmless, the client retries"),
    (re.compile(r"fi_cq_open failed"), "libfabric fi_cq_open messages: harmless, the client retries"),
)


def harmless_noise(stderr: str) -> list[str]:
    """Known-harmless messages present in stderr (ALCF documents them); they never fail a command."""
    return [meaning for pattern, meaning in HARMLESS if pattern.search(stderr or "")]


def _error_line(result: CommandResult) -> str:
    for line in reversed(result.stderr.splitlines()):
        if line.startswith("ERROR: "):
            return line.removeprefix("ERROR: ").removeprefix("daos: ")
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    return lines[-1] if lines else (result.error or f"daos failed ({result.outcome})")


def failure(result: CommandResult, message: str = "") -> DaosError | OutcomeUnknownError:
    """The DaosError for a failed `daos` run, with DER name/number and what to do next."""
    if result.outcome_unknown:
        return outcome_unknown(result)
    if result.error or result.exit_status == 127:
        return DaosError(
            f"`daos` could not be run: {result.error or 'command not found'}", result, hint=MODULE_HINT
        )
    if result.timed_out:
        return DaosError(
            f"`{result.command_line}` timed out after {result.duration:.0f}s",
            result,
            hint="The DAOS servers or agent are not answering: retry; run the Doctor (D).",
        )
    if result.cancelled:
        return DaosError(f"`{result.command_line}` was cancelled", result)
    message = message or _error_line(result)
    name, code = _parse().parse_der(message + "\n" + result.stderr)
    return DaosError(message, result, der_name=name, der_code=code, hint=HINTS.get(name, ""))


class DaosClient:
    def __init__(
        self,
        transport: Transport,
        *,
        timeout: float = 60.0,
        program: str = "daos",
        access: Access | None = None,
    ) -> None:
        self.transport = transport
        self.timeout = timeout
        self.program = program
        #: Shared with the session's other clients: read-only refuses every @mutating method.
        self.access = access or Access()

    # ------------------------------------------------------------------ argv builders
    def _j(self, *args: str) -> list[str]:
        return [self.program, "-j", *args]

    def argv_version(self) -> list[str]:
        return [self.program, "version"]

    def argv_pool_list(self) -> list[str]:
        return self._j("pool", "list")

    def argv_pool_query(self, pool: str, *, ranks: str = "") -> list[str]:
        """`ranks`: "enabled" (`-e`) or "disabled" (`-b`) adds that engine rank set to the answer."""
        flag = {"": [], "enabled": ["--show-enabled"], "disabled": ["--show-disabled"]}[ranks]
        return self._j("pool", "query", pool, *flag)

    def argv_pool_autotest(self, pool: str, skip_big: bool = False) -> list[str]:
        return [self.program, "pool", "autotest", pool, *(["--skip-big"] if skip_big else [])]

    def argv_cont_list(self, pool: str) -> list[str]:
        return self._j("container", "list", pool)

    def argv_cont_create(self, request: ContainerCreateRequest) -> list[str]:
        argv = request.argv()
        return [self.program, *argv[1:]]

    def argv_cont_query(self, pool: str, cont: str) -> list[str]:
        return self._j("container", "query", pool, cont)

    def argv_cont_list_snap(self, pool: str, cont: str) -> list[str]:
        return self._j("container", "list-snap", pool, cont)

    def argv_cont_get_prop(self, pool: str, cont: str) -> list[str]:
        return self._j("container", "get-prop", pool, cont)

    def argv_cont_set_prop(self, pool: str, cont: str, props: dict[str, str]) -> list[str]:
        return [
            self.program,
            "container",
            "set-prop",
            pool,
            cont,
            ",".join(f"{k}:{v}" for k, v in props.items()),
        ]

    def argv_cont_destroy(self, pool: str, cont: str, *, force: bool = False) -> list[str]:
        return [self.program, "container", "destroy", pool, cont, *(["--force"] if force else [])]

    def argv_cont_update_acl(self, pool: str, cont: str, entry: str) -> list[str]:
        return [self.program, "container", "update-acl", pool, cont, "--entry", entry]

    def argv_cont_delete_acl(self, pool: str, cont: str, principal: str) -> list[str]:
        return [self.program, "container", "delete-acl", pool, cont, "--principal", principal]

    def argv_cont_check(self, path: str) -> list[str]:
        return [self.program, "container", "check", "--path", path]

    def argv_fs_check(self, pool: str, cont: str, *, flags: str = "evict") -> list[str]:
        return [self.program, "filesystem", "check", pool, cont, f"--flags={flags}"]

    def argv_fs_copy(self, src: str, dst: str) -> list[str]:
        return [self.program, "filesystem", "copy", "--src", src, "--dst", dst]

    # ------------------------------------------------------------------ running
    async def _run(self, argv: Sequence[str], timeout: float | None = None) -> CommandResult:
        return await self.transport.run(argv, timeout=timeout or self.timeout)

    async def _json(
        self,
        argv: Sequence[str],
        convert: Callable[[Any], T],
        text_fallback: Callable[[str], T] | None = None,
        timeout: float | None = None,
    ) -> T:
        result = await self._run(argv, timeout)
        if result.error or result.timed_out or result.cancelled:
            raise failure(result)
        big = is_big(text=result.stdout)  # e.g. `cont list` of 10^5 containers: parsed in a thread
        try:
            response, error, status = await offload(big, _parse().parse_envelope, result.stdout)
        except ParseError as exc:
            if result.exit_status != 0:
                raise failure(result) from None
            if text_fallback is not None:
                try:
                    return await offload(big, text_fallback, result.stdout)
                except ParseError:
                    pass
            raise DaosError(
                f"unexpected output from `{result.command_line}`: {exc}",
                result,
                hint="The daos output format was not understood; the command log has it.",
            ) from None
        if error is not None or status != 0 or result.exit_status != 0:
            raise failure(result, error or "")
        try:
            return await offload(big, convert, response)
        except ParseError as exc:
            raise DaosError(f"unexpected output from `{result.command_line}`: {exc}", result) from None

    async def _text(
        self, argv: Sequence[str], convert: Callable[[str], T], timeout: float | None = None
    ) -> T:
        result = await self._run(argv, timeout)
        if not result.ok:
            raise failure(result)
        try:
            return await offload(is_big(text=result.stdout), convert, result.stdout)
        except ParseError as exc:
            raise DaosError(f"unexpected output from `{result.command_line}`: {exc}", result) from None

    # ------------------------------------------------------------------ operations
    async def version(self) -> DaosVersion:
        return await self._text(self.argv_version(), _parse().version_from_text)

    async def pool_list(self) -> list[Pool]:
        return await self._json(self.argv_pool_list(), _parse().pools_from_json, _parse().pools_from_text)

    async def pool_query(self, pool: str, *, ranks: str = "") -> Pool:
        return await self._json(
            self.argv_pool_query(pool, ranks=ranks),
            lambda r: _parse().pool_from_json(r, pool),
            lambda text: _parse().pool_from_text(text, pool),
        )

    @mutating("run `daos pool autotest` (it creates containers and writes data in the pool)")
    async def pool_autotest(self, pool: str, *, skip_big: bool = False) -> AutotestResult:
        result = await self._run(self.argv_pool_autotest(pool, skip_big), timeout=max(self.timeout, 600))
        if result.error or result.timed_out or result.cancelled:
            raise failure(result)
        try:
            return _parse().autotest_from_text(result.stdout)
        except ParseError:
            raise failure(result) from None

    async def cont_list(self, pool: str) -> list[ContainerRef]:
        return await self._json(
            self.argv_cont_list(pool), _parse().containers_from_json, _parse().containers_from_text
        )

    @mutating("create a container")
    async def cont_create(self, request: ContainerCreateRequest) -> ContainerInfo:
        request.validate()
        argv = self.argv_cont_create(request)
        try:
            return await self._json(
                [argv[0], "-j", *argv[1:]],
                _parse().container_info_from_json,
                _parse().container_info_from_text,
            )
        except DaosError as exc:
            if exc.result is None or exc.result.exit_status != 0 or exc.der_name:
                raise
            # daos said success but its output was unreadable: the container most likely exists, and a
            # retry with the same label would fail with DER_EXIST. Ask instead of guessing.
            try:
                return await self.cont_query(request.pool, request.label)
            except DaostuiError:
                raise DaosError(
                    str(exc),
                    exc.result,
                    hint=f"The container may have been created anyway: check `daos cont list {request.pool}` "
                    "before retrying.",
                ) from None

    async def check_container(self, pool: str, cont: str, *, created: bool) -> StateCheck:
        """After a create (`created=True`) or destroy whose outcome is unknown: did it take effect?"""
        refs = await self.cont_list(pool)
        found = tuple(ref.label or ref.uuid for ref in refs if cont in (ref.label, ref.uuid))
        command = shlex.join(self.argv_cont_list(pool))
        if created:
            if found:
                return StateCheck(True, f"Container {cont} exists in {pool}: it was created.", command, found)
            return StateCheck(False, f"There is no container {cont} in {pool}: it was not created.", command)
        if found:
            return StateCheck(
                False, f"Container {cont} is still in {pool}: it was not destroyed.", command, found
            )
        return StateCheck(True, f"Container {cont} is gone from {pool}: it was destroyed.", command)

    async def cont_query(self, pool: str, cont: str) -> ContainerInfo:
        return await self._json(
            self.argv_cont_query(pool, cont),
            _parse().container_info_from_json,
            _parse().container_info_from_text,
        )

    async def cont_list_snap(self, pool: str, cont: str) -> list[ContainerSnapshot]:
        return await self._json(
            self.argv_cont_list_snap(pool, cont), _parse().snapshots_from_json, _parse().snapshots_from_text
        )

    async def cont_get_prop(self, pool: str, cont: str) -> ContainerProperties:
        return await self._json(
            self.argv_cont_get_prop(pool, cont), _parse().properties_from_json, _parse().properties_from_text
        )

    async def _plain(self, argv: Sequence[str]) -> None:
        result = await self._run(argv)
        if not result.ok:
            raise failure(result)

    @mutating("set container properties")
    async def cont_set_prop(self, pool: str, cont: str, props: dict[str, str]) -> None:
        await self._plain(self.argv_cont_set_prop(pool, cont, props))

    @mutating("destroy a container")
    async def cont_destroy(self, pool: str, cont: str, *, force: bool = False) -> None:
        await self._plain(self.argv_cont_destroy(pool, cont, force=force))

    @mutating("change a container's ACL")
    async def cont_update_acl(self, pool: str, cont: str, entry: str) -> None:
        await self._plain(self.argv_cont_update_acl(pool, cont, entry))

    @mutating("remove an entry from a container's ACL")
    async def cont_delete_acl(self, pool: str, cont: str, principal: str) -> None:
        await self._plain(self.argv_cont_delete_acl(pool, cont, principal))

    async def cont_check(self, path: str) -> ContainerCheckResult:
        return await self._text(
            self.argv_cont_check(path), _parse().container_check_from_text, timeout=max(self.timeout, 600)
        )

    @mutating("run `daos filesystem check --flags=evict` (it removes leaked objects)")
    async def fs_check(self, pool: str, cont: str, *, flags: str = "evict") -> FsCheckResult:
        return await self._text(
            self.argv_fs_check(pool, cont, flags=flags),
            _parse().fs_check_from_text,
            timeout=max(self.timeout, 600),
        )

    @mutating("copy data with `daos filesystem copy`")
    async def fs_copy(self, src: str, dst: str, *, timeout: float = 3600) -> FsCopyResult:
        return await self._text(self.argv_fs_copy(src, dst), _parse().fs_copy_from_text, timeout=timeout)
