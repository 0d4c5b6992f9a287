"""State files are private on a shared login node, whatever the umask.

The state dir used to be 0755 and `commands.jsonl` (the full output of every command) 0644; job
scripts were chmod 0755. Every writer now goes through `daostui.core.paths` (private_dir,
write_private, open_private_append). Each test runs with umask 0 -- the worst a user can have --
and with files an older version left world-readable, which must be tightened.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from daostui.core import errorlog, paths, wizard_progress
from daostui.core.site import SiteProfile
from daostui.mounts.client import MountsClient
from daostui.pbs.jobscript import save_script
from daostui.transport.base import CommandResult
from daostui.transport.fake import FakeTransport
from daostui.transport.log import CommandLog


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A state dir an older version left 0755 with a 0644 command log, and umask 0."""
    directory = tmp_path / "state"
    directory.mkdir()
    directory.chmod(0o755)
    old_log = directory / "commands.jsonl"
    old_log.write_text("")
    old_log.chmod(0o644)
    monkeypatch.setenv("DAOSTUI_STATE_DIR", str(directory))
    previous = os.umask(0)
    yield directory
    os.umask(previous)


def result() -> CommandResult:
    return CommandResult(("daos", "pool", "list"), 0, "secret output", "", 0.1, 0.0, "local")


def test_command_log(state: Path) -> None:
    CommandLog(paths.command_log_file()).record(result())
    assert mode(state) == 0o700
    assert mode(state / "commands.jsonl") == 0o600
    assert "secret output" in (state / "commands.jsonl").read_text()


def test_error_log(state: Path) -> None:
    try:
        raise RuntimeError("a bug")
    except RuntimeError as exc:
        where = errorlog.record(exc, "test")
    assert where == str(state / "errors.log")
    assert mode(state / "errors.log") == 0o600 and mode(state) == 0o700


def test_wizard_progress(state: Path) -> None:
    path = paths.wizard_state_file()
    path.write_text("{}")
    path.chmod(0o666)
    wizard_progress.save_state(path, wizard_progress.WizardState(pool="hpc_demo"))
    assert mode(path) == 0o600 and mode(state) == 0o700
    assert wizard_progress.load_state(path).pool == "hpc_demo"
    assert [p.name for p in state.iterdir() if p.name.startswith(".")] == [], "no temporary file left"


def test_owned_mounts_registry(state: Path) -> None:
    client = MountsClient(FakeTransport(), SiteProfile(), user="alice", owned_file=paths.owned_mounts_file())
    client._save_owned({"/tmp/alice/p/c": {"pool": "p", "container": "c"}})
    assert mode(paths.owned_mounts_file()) == 0o600 and mode(state) == 0o700


def test_nested_directories_and_requests(state: Path) -> None:
    written = paths.write_private(paths.requests_dir() / "request.txt", "Project Name: x\n")
    assert mode(written) == 0o600 and mode(written.parent) == 0o700 and mode(state) == 0o700


def test_job_scripts_are_private_but_their_directory_is_left_alone(tmp_path: Path, state: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    project.chmod(0o2770)  # shared with the project group on purpose
    script = save_script("#!/bin/bash\n", project, "job.pbs")
    assert mode(script) == 0o600
    assert mode(project) == 0o2770
    made = save_script("#!/bin/bash\n", tmp_path / "new" / "jobs", "job.pbs")
    assert mode(made.parent) == 0o700


def test_append_keeps_the_file_private_and_refuses_a_planted_symlink(state: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("")
    link = state / "planted.log"
    link.symlink_to(target)
    with pytest.raises(OSError):
        paths.open_private_append(link)
    with paths.open_private_append(state / "new.log") as handle:
        handle.write("x\n")
    assert mode(state / "new.log") == 0o600
    assert target.read_text() == ""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a symlink belong to another account")
def test_a_state_dir_symlinked_by_another_account_is_refused(tmp_path: Path, monkeypatch) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    os.chown(theirs, 65534, 65534)
    link = tmp_path / "state-link"
    link.symlink_to(theirs)
    os.lchown(link, 65534, 65534)
    monkeypatch.setenv("DAOSTUI_STATE_DIR", str(link))
    log = CommandLog(paths.command_log_file())
    log.record(result())
    assert "symlink owned by uid 65534" in log.write_error
    assert list(theirs.iterdir()) == []


def test_log_write_failures_do_not_break_commands(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("DAOSTUI_STATE_DIR", str(blocker / "state"))
    log = CommandLog(paths.command_log_file())
    log.record(result())
    assert log.write_error and len(log) == 1
