"""The PBS client: argv builders and async calls for qselect, qstat, qsub, qdel, qhold, qrls.

Cheap on the server by construction (pbs.md §6.6): the user's ids come from `qselect -u USER -x`,
full status only for given ids (`qstat -f -F json -x ID...`, in chunks), never for the whole
system; `qstat -f -F json -u` is avoided because PBS mixes text into the JSON there.

Many ids go in one request: `qstat -E` ("express": the ids grouped into one status request per
server). Without it qstat opens one connection per id; on a real 23.06.06 server with 1,000
jobs that made one refresh take two minutes instead of seconds (benchmarks/pbs_server.py). With
`-E` PBS leaves out unknown ids silently; a qstat without `-E` is used once it was refused.

Both JSON writers are survived. OpenPBS ≤ 23.06 prints some values bare (repaired by the
parser, no extra command). Newer OpenPBS (the cJSON writer, seen with master's qstat against a
23.06 server) prints only the *first* job when given several ids without `-E`. Ids that come
back neither as jobs nor as "Unknown Job Id" are asked again in text (`qstat -f`, one id per
request, which names each unknown one and prints every job with both writers) before any is
called unknown; once the JSON lost jobs that way, several ids go to text directly.

Job arrays: `qselect` lists a parent as `1234[].server`; `subjobs()` lists its subjobs
(`qstat -t`); `delete()` takes the parent (the whole array) or one subjob (`1234[7].server`).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING

from daostui.core.errors import OutcomeUnknownError, ParseError, PbsError, StateCheck, outcome_unknown
from daostui.core.offload import is_big, offload
from daostui.core.readonly import Access, mutating
from daostui.pbs.hints import MISSING_PROGRAM, hint_for_job_error, hint_for_qsub_error
from daostui.pbs.values import id_head, subjob_id
from daostui.transport.base import CommandResult, Identity, Transport

if TYPE_CHECKING:
    from types import ModuleType

    from daostui.pbs.models import Job, Queue, ServerInfo, StatusResult


def _parse() -> ModuleType:
    """Parsers load on the first command, not at start-up (the first frame comes first)."""
    from daostui.pbs import parse

    return parse


#: ids per `qstat -E` call: one request each, and a qstat costs ~0.2 s whatever it asks (its
#: connection and authentication, measured on a real 23.06.06 server); 500 Aurora ids are ~30 KB
#: of argv, well within what a login node's shell and sshd take.
STATUS_CHUNK = 500


def _compact(jobs: list[Job]) -> list[Job]:
    return [job.compact() for job in jobs]


def _failure(result: CommandResult, hint: str = "") -> PbsError | OutcomeUnknownError:
    if result.outcome_unknown:
        return outcome_unknown(result)
    if result.error or result.exit_status == 127:
        return PbsError(
            f"`{result.argv[0]}` could not be run: {result.error or 'command not found'}",
            result,
            hint=MISSING_PROGRAM,
        )
    if result.timed_out:
        return PbsError(
            f"`{result.command_line}` timed out after {result.duration:.0f}s",
            result,
            hint="The PBS server is slow: the console retries with back-off.",
        )
    if result.cancelled:
        return PbsError(f"`{result.command_line}` was cancelled", result)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    message = lines[0] if lines else f"{result.argv[0]} failed ({result.outcome})"
    return PbsError(message, result, hint=hint or hint_for_job_error(result.stderr))


class PbsClient:
    def __init__(
        self,
        transport: Transport,
        *,
        user: str | Identity,
        timeout: float = 30.0,
        lost_after: float = 60.0,
        access: Access | None = None,
    ) -> None:
        self.transport = transport
        #: Shared with the session's other clients: read-only refuses every @mutating method.
        self.access = access or Access()
        #: Whose jobs are "mine": the session's identity, which learns the remote user at login.
        self.identity = user if isinstance(user, Identity) else Identity(user)
        self.timeout = timeout
        self.lost_after = lost_after
        self._submitted: dict[str, float] = {}
        #: Set once qstat printed fewer jobs than asked with no error for the rest (cJSON writer).
        self.json_first_only = False
        #: Whether `qstat -E` works here (None: not tried yet; PBS versions before it refuse it).
        self.express: bool | None = None

    @property
    def user(self) -> str:
        return self.identity.user

    # ------------------------------------------------------------------ argv
    def argv_my_job_ids(self, history: bool = True) -> list[str]:
        return ["qselect", "-u", self.user, *(["-x"] if history else [])]

    def argv_jobs_named(self, job_name: str) -> list[str]:
        return ["qselect", "-u", self.user, "-N", job_name, "-x"]

    def argv_status(self, ids: Sequence[str], history: bool = True, express: bool = True) -> list[str]:
        """`-E` groups several ids into one request (one connection, not one per id)."""
        grouped = ["-E"] if express and len(ids) > 1 else []
        return ["qstat", "-f", "-F", "json", *grouped, *(["-x"] if history else []), *ids]

    def argv_status_text(self, ids: Sequence[str], history: bool = True) -> list[str]:
        """`qstat -f` text: the parser joins its wrapped lines as qstat breaks them (checked on real output)."""
        return ["qstat", "-f", *(["-x"] if history else []), *ids]

    def argv_subjobs(self, array_id: str, history: bool = True) -> list[str]:
        """The array parent and every subjob (`-t`); one id, so both JSON writers print them all."""
        return ["qstat", "-t", "-f", "-F", "json", *(["-x"] if history else []), array_id]

    def argv_queues(self) -> list[str]:
        return ["qstat", "-Qf", "-F", "json"]

    def argv_server(self) -> list[str]:
        return ["qstat", "-Bf", "-F", "json"]

    def argv_submit(self, script: str, extra_args: Sequence[str] = ()) -> list[str]:
        return ["qsub", *extra_args, script]

    def argv_delete(self, job_id: str) -> list[str]:
        return ["qdel", job_id]

    def argv_hold(self, job_id: str) -> list[str]:
        return ["qhold", job_id]

    def argv_release(self, job_id: str) -> list[str]:
        return ["qrls", job_id]

    def argv_follow(self, path: str) -> list[str]:
        """`tail -F`: keeps following when PBS creates the file late or rewrites it (Lustre, NFS)."""
        return ["tail", "-n", "+1", "-F", "--", path]

    def follow(self, path: str) -> AsyncIterator[str]:
        """A job's .o/.e file line by line as it grows, wherever the transport runs (local or the
        login node); closing the iterator stops `tail`."""
        return self.transport.stream(self.argv_follow(path))

    # The one place a `qsub -I` command line is made: refusing it here means no interactive job can
    # start in a read-only session, whichever runner (pexpect locally, an ssh pty) would run it.
    @mutating("start an interactive job (qsub -I)")
    def argv_interactive(
        self,
        *,
        project: str,
        queue: str,
        nodes: int,
        walltime: str,
        filesystems: str,
        extra_resources: Sequence[str] = (),
        job_name: str = "",
    ) -> list[str]:
        argv = [
            "qsub",
            "-I",
            "-A",
            project,
            "-q",
            queue,
            *(["-N", job_name] if job_name else []),
            "-l",
            f"select={nodes}",
            "-l",
            f"walltime={walltime}",
            "-l",
            f"filesystems={filesystems}",
            "-l",
            "place=scatter",
            "-k",
            "doe",
        ]
        for resource in extra_resources:
            argv += ["-l", resource]
        return argv

    # ------------------------------------------------------------------ calls
    async def _run(
        self, argv: Sequence[str], timeout: float | None = None, cwd: str | None = None
    ) -> CommandResult:
        return await self.transport.run(argv, timeout=timeout or self.timeout, cwd=cwd)

    def submitted_ids(self) -> list[str]:
        return list(self._submitted)

    async def my_job_ids(self, history: bool = True) -> list[str]:
        result = await self._run(self.argv_my_job_ids(history))
        if not result.ok:
            raise _failure(result)
        try:
            return await offload(is_big(text=result.stdout), _parse().parse_qselect, result.stdout)
        except ParseError as exc:
            raise PbsError(f"unexpected qselect output: {exc}", result) from None

    async def _jobs_json(self, stdout: str) -> list[Job]:
        """`qstat -f -F json` into jobs; hundreds of jobs are decoded in a thread."""
        return await offload(is_big(text=stdout), _parse().parse_jobs_json, stdout)

    async def status(
        self, ids: Sequence[str], history: bool = True, *, compact: bool = False
    ) -> StatusResult:
        """Full status of `ids`; unknown ids are reported (and kept as LOST if we submitted them).

        `compact`: each chunk's jobs are made compact (`Job.compact`) as soon as it is parsed, so
        10^5 ids never hold 10^5 whole records at once (the jobs pane keeps only compact ones).
        """
        from daostui.pbs.models import Job, StatusResult

        jobs: list[Job] = []
        unknown: list[str] = []
        for start in range(0, len(ids), STATUS_CHUNK):
            chunk = list(ids[start : start + STATUS_CHUNK])
            found, missing = await self._status_chunk(chunk, history)
            if compact:
                found = await offload(is_big(items=len(found) * 10), _compact, found)
            jobs.extend(found)
            unknown.extend(missing)
        now = time.monotonic()
        for job_id in unknown:
            submitted = self._submitted.get(job_id)
            if submitted is not None and now - submitted >= self.lost_after:
                jobs.append(Job.lost(job_id))
        return StatusResult(jobs, unknown)

    def _checked(self, result: CommandResult) -> tuple[CommandResult, set[str]]:
        """A qstat's result, unless it failed other than by refusing some ids (which it names)."""
        if result.error or result.timed_out or result.cancelled:
            raise _failure(result)
        refused = {*_parse().unknown_job_ids(result.stderr), *_parse().finished_job_ids(result.stderr)}
        if not result.ok and not refused:
            raise _failure(result)
        return result, {id_head(job_id) for job_id in refused}

    async def _ask(self, argv: list[str]) -> tuple[CommandResult, set[str]]:
        return self._checked(await self._run(argv))

    async def _status_text(
        self, ids: list[str], history: bool, asked: CommandResult | None = None
    ) -> tuple[list[Job], set[str]]:
        """The same ids in text; a failure names `asked`, the JSON command that came first."""
        result, refused = await self._ask(self.argv_status_text(ids, history))
        try:
            return _parse().parse_jobs_text(result.stdout), refused
        except ParseError as exc:
            raise PbsError(
                f"qstat output not understood (JSON and text): {exc}",
                asked or result,
                hint="The command log has the raw output of both.",
            ) from None

    async def _status_json(self, ids: list[str], history: bool) -> tuple[CommandResult, set[str]]:
        """`qstat -E -f -F json`, or without `-E` where this PBS refuses the option (remembered)."""
        if self.express is not False and len(ids) > 1:
            result = await self._run(self.argv_status(ids, history, express=True))
            refused_option = (
                result.exit_status == 2 and "usage" in result.stderr and not result.stdout.strip()
            )
            if not refused_option:
                self.express = True
                return self._checked(result)
            self.express = False
        return await self._ask(self.argv_status(ids, history, express=False))

    async def _status_chunk(self, ids: list[str], history: bool) -> tuple[list[Job], list[str]]:
        if self.json_first_only and len(ids) > 1:
            jobs, refused = await self._status_text(ids, history)
        else:
            result, refused = await self._status_json(ids, history)
            try:
                jobs = await self._jobs_json(result.stdout)
            except ParseError:
                jobs, refused = await self._status_text(ids, history, result)
            # qstat answers short ids with full ids: match by the part before the server name
            found = {job.seq for job in jobs}
            silent = [i for i in ids if id_head(i) not in found and id_head(i) not in refused]
            if silent:
                # `-E` leaves unknown ids out silently; the cJSON writer without it prints only the
                # first job: ask those again in text, which names every unknown one
                if jobs and not self.express:
                    self.json_first_only = True
                more, refused_more = await self._status_text(silent, history)
                jobs += [job for job in more if job.seq not in found]
                refused |= refused_more
        found = {job.seq for job in jobs}
        unknown = [i for i in ids if id_head(i) not in found]
        return jobs, unknown

    async def subjobs(self, array_id: str, history: bool = True) -> list[Job]:
        """Every subjob of an array (`1234[].server`), in index order; the parent is left out."""
        result, _refused = await self._ask(self.argv_subjobs(array_id, history))
        try:
            jobs = await self._jobs_json(result.stdout)
        except ParseError:
            text = await self._run(["qstat", "-t", "-f", *(["-x"] if history else []), array_id])
            try:
                jobs = _parse().parse_jobs_text(text.stdout)
            except ParseError as exc:
                raise PbsError(f"qstat -t output not understood: {exc}", result) from None
        subjobs = [job for job in jobs if job.is_subjob]
        return sorted(subjobs, key=lambda job: job.array_index or 0)

    async def queues(self) -> list[Queue]:
        result = await self._run(self.argv_queues())
        if not result.ok:
            raise _failure(result)
        try:
            return _parse().parse_queues_json(result.stdout)
        except ParseError:
            text = await self._run(["qstat", "-Qf"])
            try:
                return _parse().parse_queues_text(text.stdout)
            except ParseError as exc:
                raise PbsError(f"qstat -Qf output not understood: {exc}", result) from None

    async def server(self) -> ServerInfo:
        result = await self._run(self.argv_server())
        if not result.ok:
            raise _failure(result)
        try:
            return _parse().parse_server_json(result.stdout)
        except ParseError:
            text = await self._run(["qstat", "-Bf"])
            try:
                return _parse().parse_server_text(text.stdout)
            except ParseError as exc:
                raise PbsError(f"qstat -Bf output not understood: {exc}", result) from None

    @mutating("submit a job (qsub)")
    async def submit(self, script: str, *, cwd: str | None = None, extra_args: Sequence[str] = ()) -> str:
        result = await self._run(self.argv_submit(script, extra_args), timeout=max(self.timeout, 60), cwd=cwd)
        if not result.ok:
            raise _failure(result, hint_for_qsub_error(result.stderr))
        try:
            job_id = _parse().parse_qsub_output(result.stdout)
        except ParseError as exc:
            raise PbsError(f"qsub output not understood: {exc}", result) from None
        self._submitted[job_id] = time.monotonic()
        return job_id

    async def check_submitted(self, job_name: str, *, known: Sequence[str] = ()) -> StateCheck:
        """After a `qsub` whose outcome is unknown: is there a job of ours named `job_name` that is
        not among the `known` ids (those seen before submitting)? Then it went through."""
        argv = self.argv_jobs_named(job_name)
        result = await self._run(argv)
        if not result.ok:
            raise _failure(result)
        try:
            ids = _parse().parse_qselect(result.stdout)
        except ParseError as exc:
            raise PbsError(f"unexpected qselect output: {exc}", result) from None
        seen = {i.split(".", 1)[0] for i in known}
        new = tuple(i for i in ids if i.split(".", 1)[0] not in seen)
        if new:
            for job_id in new:
                self._submitted.setdefault(job_id, time.monotonic())
            return StateCheck(
                True,
                f"PBS has job {', '.join(new)} named {job_name}: it was submitted; do not submit it again.",
                result.command_line,
                new,
            )
        return StateCheck(
            False, f"PBS has no new job named {job_name}: it was not submitted.", result.command_line
        )

    async def _simple(self, argv: list[str]) -> None:
        result = await self._run(argv)
        if not result.ok:
            raise _failure(result)

    @mutating("delete a job (qdel)")
    async def delete(self, job_id: str) -> None:
        """qdel: a job, a whole array (`1234[].server`) or one subjob (`1234[7].server`)."""
        await self._simple(self.argv_delete(job_id))

    @mutating("delete one subjob of a job array (qdel)")
    async def delete_subjob(self, array_id: str, index: int) -> None:
        """qdel one subjob of an array, leaving the others to run."""
        await self.delete(subjob_id(array_id, index))

    @mutating("hold a job (qhold)")
    async def hold(self, job_id: str) -> None:
        await self._simple(self.argv_hold(job_id))

    @mutating("release a job (qrls)")
    async def release(self, job_id: str) -> None:
        await self._simple(self.argv_release(job_id))
