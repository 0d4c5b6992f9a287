"""Job scripts saved where `qsub` runs: on the login node over ssh, on this host otherwise.

`qsub` reads its script on the machine where it runs, so a script saved on the laptop is a
"script file:: No such file or directory" on the login node. The store writes the script through
the session's transport (SFTP over the same connection in ssh mode) into the remote working
directory — by default `~/daostui/jobs` under the remote home, or a directory the user picks —
and keeps a copy in the local state dir, so the user has what was submitted even after the
remote copy is edited or deleted. Nothing is overwritten (a numeric suffix is added) except the
file the same form saved before (`replace=`: a form's Save rewrites its own file instead of
leaving `-2`, `-3` behind); files are 0600 (0700 when executed directly) and directories daostui
creates are 0700, whatever the umask: other accounts on a login node must not read them.

The returned `SavedScript` has everything submitting needs: the remote path (what `qsub` gets),
its directory (`qsub`'s working directory, so `PBS_O_WORKDIR` and the .o/.e files are there) and
the job name (what to look for when a `qsub`'s outcome is unknown).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from daostui.core.errors import TransportError, ValidationError
from daostui.core.readonly import Access, mutating
from daostui.pbs.jobscript import parse_directives
from daostui.transport.base import Transport
from daostui.transport.localfiles import make_dirs, write_private

#: Under the remote home, unless the user picks another directory.
DEFAULT_SUBDIR = "daostui/jobs"
#: Give up finding a free name after this many (`name-2.pbs` … `name-999.pbs`).
MAX_SUFFIX = 999
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


@dataclass(frozen=True, slots=True)
class SavedScript:
    #: Absolute path where commands run: what `qsub` is given.
    path: str
    #: Its directory: `qsub`'s working directory (PBS_O_WORKDIR; relative .o/.e paths land here).
    workdir: str
    #: What PBS will call the job (`#PBS -N`, else the file name): `PbsClient.check_submitted` looks for it.
    job_name: str
    #: The copy kept in the local state dir (None when it could not be written).
    local_copy: Path | None = None

    @property
    def name(self) -> str:
        return posixpath.basename(self.path)


class ScriptStore:
    """Saves job scripts through `transport`; `workdir` is the default directory (None: ~/daostui/jobs there)."""

    def __init__(
        self,
        transport: Transport,
        *,
        local_dir: Path | None,
        workdir: Callable[[], str] | None = None,
        access: Access | None = None,
    ) -> None:
        self.transport = transport
        #: Shared with the session's clients: a read-only session saves no script.
        self.access = access or Access()
        self.local_dir = local_dir
        self._workdir = workdir

    async def workdir(self) -> str:
        """The directory the job form offers by default (absolute, where commands run)."""
        if self._workdir is not None:
            return self._workdir()
        return posixpath.join(await self.transport.home(), DEFAULT_SUBDIR)

    async def resolve_dir(self, directory: str | None) -> str:
        """`directory` made absolute where commands run (`~` is the remote home); the default if empty."""
        text = (directory or "").strip()
        if not text:
            return await self.workdir()
        problem = directory_problem(text)
        if problem:
            raise ValidationError(problem, field="workdir", rule="working directory")
        if text == "~" or text.startswith("~/"):
            text = posixpath.join(await self.transport.home(), text[2:])
        return posixpath.normpath(text)

    @mutating("create a working directory")
    async def prepare_dir(self, directory: str | None) -> str:
        """`directory` resolved (see `resolve_dir`) and created 0700 where missing: an interactive
        job started there with no script to save still needs it to exist."""
        workdir = await self.resolve_dir(directory)
        await self.transport.make_dirs(workdir, 0o700)
        return workdir

    @mutating("save a job script")
    async def save(
        self,
        text: str,
        name: str,
        *,
        directory: str | None = None,
        executable: bool = False,
        replace: str | None = None,
    ) -> SavedScript:
        """Write `text` as `name` (or `name-N` when taken) in `directory`.

        `replace` is the path the same form saved before: when it is one of `name`'s candidates in
        that directory (`name`, `name-2`, …) it is rewritten in place; any other existing file is
        never touched."""
        _check_name(name)
        workdir = await self.resolve_dir(directory)
        await self.transport.make_dirs(workdir, 0o700)
        mode = 0o700 if executable else 0o600
        candidates = _candidates(name)
        if replace and posixpath.dirname(replace) == workdir and posixpath.basename(replace) in candidates:
            await self.transport.write_file(replace, text, mode=mode, exclusive=False)
            return self._saved(replace, workdir, text, mode)
        for candidate in candidates:
            path = posixpath.join(workdir, candidate)
            try:
                await self.transport.write_file(path, text, mode=mode, exclusive=True)
            except FileExistsError:
                continue
            return self._saved(path, workdir, text, mode)
        raise TransportError(f"no free file name for {name} in {workdir} (tried {MAX_SUFFIX})")

    def _saved(self, path: str, workdir: str, text: str, mode: int) -> SavedScript:
        return SavedScript(
            path=path,
            workdir=workdir,
            job_name=parse_directives(text).get("-N") or posixpath.basename(path),
            local_copy=self._keep_copy(path, text, mode),
        )

    def _keep_copy(self, path: str, text: str, mode: int) -> Path | None:
        """The local copy, under a directory per machine, mirroring the remote path."""
        if self.local_dir is None:
            return None
        where = _UNSAFE.sub("_", self.transport.where) or "here"
        copy = self.local_dir / where / path.lstrip("/")
        try:
            make_dirs(copy.parent, 0o700)
            write_private(copy, text.encode(), mode, exclusive=False)
        except (TransportError, OSError):
            return None  # the remote script is what matters; a full local disk must not fail the save
        return copy


def directory_problem(text: str) -> str:
    """Why `text` cannot be a working directory ("" when it can; empty means the default).

    Checked as the user types, before anything is saved: one line, and absolute where commands
    run (`~` and `~/...` are the remote home there, resolved when saving)."""
    text = text.strip()
    if not text:
        return ""
    if "\n" in text or "\0" in text or "\r" in text:
        return "the working directory must be one line"
    if not (text == "~" or text.startswith(("~/", "/"))):
        return f"the working directory {text!r} must be absolute (or start with ~/)"
    return ""


def _check_name(name: str) -> None:
    if not name or name in (".", "..") or "/" in name or "\0" in name or "\n" in name:
        raise ValidationError(f"{name!r} is not a plain file name", field="name", rule="file name")


def _candidates(name: str) -> list[str]:
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, ""
    tail = f".{suffix}" if suffix else ""
    return [name] + [f"{stem}-{counter}{tail}" for counter in range(2, MAX_SUFFIX + 1)]
