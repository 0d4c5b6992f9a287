"""Preludes that cannot swallow the command, and output framed so login noise never reaches a parser."""

from __future__ import annotations

import sys

import pytest

from daostui.core.errors import TransportError, ValidationError
from daostui.transport import framing
from daostui.transport.base import CommandResult, Prelude
from daostui.transport.local import LocalTransport

PY = sys.executable
TALKATIVE = ("echo 'Welcome to Aurora'", "echo 'module chatter' >&2")


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("# load daos first", "is a comment"),
        ("   #module load daos", "is a comment"),
        ("module load daos \\", "backslash"),
        ("module load daos &&", "ends with `&&`"),
        ("module load daos ||", "ends with `||`"),
        ("module load daos |", "ends with `|`"),
        ("module load daos |&", "ends with `|&`"),
        ("cat <<EOF", "here-document"),
        ("cat <<-'EOF'", "here-document"),
        ("echo 'unclosed", "unclosed quote"),
        ('echo "unclosed', "unclosed quote"),
        ("echo $'unclosed\\'", "unclosed quote"),
        ("module load a\nmodule load b", "spans several lines"),
    ],
)
def test_prelude_lines_that_could_swallow_what_follows_are_refused(line: str, why: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Prelude(lines=("module use /soft/modulefiles", line))
    message = str(refused.value)
    assert why in message and "line 2" in message and repr(line.strip()) in message


@pytest.mark.parametrize(
    "line",
    [
        "module load daos/base || module load daos",
        "module load daos # the default version",
        "echo '# not a comment' \"&& neither\"",
        'grep -q x <<< "$HOME"',
        "export A='a\\' # the backslash is literal in single quotes",
        "test -d /soft && module use /soft/modulefiles",
        "sleep 1 &",
    ],
)
def test_complete_lines_are_kept(line: str) -> None:
    assert Prelude(lines=("", line, "  ")).lines == (line.strip(),)


def test_the_script_runs_lines_then_marker_then_exec_and_never_contains_the_marker() -> None:
    marker = framing.new_marker()
    argv = Prelude(lines=("module load daos",)).wrap(["daos", "pool", "list"], marker=marker)
    assert argv[:2] == ["bash", "-lc"] and argv[3:] == ["daostui", "daos", "pool", "list"]
    steps = argv[2].splitlines()
    assert steps[0] == "module load daos" and steps[-1] == 'exec "$@"'
    assert marker not in argv[2], "the command text never holds the marker as one string"
    assert Prelude().wrap(["true"]) == ["true"], "nothing to wrap locally without lines"


def test_split_and_unframe() -> None:
    marker = framing.new_marker()
    # a profile line without a final newline still cannot hide the marker
    assert framing.split(f"banner\nno newline{marker}\nout\n", marker) == framing.Framed(
        "out\n", "banner\nno newline", True
    )
    assert framing.split("out\n", marker) == framing.Framed("", "out\n", False)
    assert framing.split(f"banner\n{marker}\n{{}}\n", marker) == framing.Framed("{}\n", "banner\n", True)
    parts = framing.unframe(f"motd\n{marker}\nout\n", f"chatter\n{marker}\nerr\n", marker)
    assert (parts.stdout, parts.stderr, parts.started) == ("out\n", "err\n", True)
    assert parts.noise == "motd\n[stderr] chatter"
    never = framing.unframe("motd\n", "bash: module: command not found\n", marker)
    assert not never.started and never.stdout == "" and "module" in never.stderr


def test_terminal_framing_waits_for_the_whole_marker_line() -> None:
    marker = framing.new_marker()
    data = f"Last login: today\r\n{marker}\r\nqsub: waiting for job 1.pbs to start\r\n".encode()
    end = framing.find_in_terminal(data, marker)
    assert data[end:].startswith(b"qsub: waiting")
    assert framing.find_in_terminal(data[: data.index(b"\r\nqsub")], marker) == -1
    assert framing.find_in_terminal(b"Last login", marker) == -1


async def test_local_prelude_noise_goes_to_the_log_not_to_the_output() -> None:
    seen: list[CommandResult] = []
    t = LocalTransport(prelude=Prelude(lines=TALKATIVE, login=False))
    t.add_listener(seen.append)
    r = await t.run([PY, "-c", "import sys; print('{\"ok\": 1}'); print('warn', file=sys.stderr)"])
    assert r.ok and r.stdout == '{"ok": 1}\n' and r.stderr == "warn\n"
    assert r.login_noise == "Welcome to Aurora\n[stderr] module chatter"
    assert seen[-1].login_noise == r.login_noise
    assert CommandResult.from_json(r.to_json()).login_noise == r.login_noise


@pytest.mark.parametrize("line", ["exit 0", "exit 3", "exec true", "return 2 2>/dev/null || exit 0"])
async def test_a_prelude_that_never_reaches_the_command_is_not_run_never_success(line: str, tmp_path) -> None:
    canary = tmp_path / "ran"
    t = LocalTransport(prelude=Prelude(lines=("echo loading", line), login=False))
    r = await t.run(["touch", str(canary)])
    assert not r.ok and r.outcome == "not run" and "did not run" in r.error
    assert "loading" in r.login_noise and r.stdout == ""
    assert not canary.exists()


async def test_a_wrapped_false_reports_failure() -> None:
    t = LocalTransport(prelude=Prelude(lines=("true",), login=False))
    r = await t.run(["false"])
    assert r.exit_status == 1 and not r.ok and not r.error and r.outcome == "exit 1"


async def test_local_stream_is_framed_and_a_swallowed_stream_raises(tmp_path) -> None:
    t = LocalTransport(prelude=Prelude(lines=TALKATIVE, login=False))
    lines = [line async for line in t.stream(["bash", "-c", "echo a; echo b >&2; echo c"])]
    assert lines == ["a", "b", "c"]
    seen: list[CommandResult] = []
    broken = LocalTransport(prelude=Prelude(lines=("echo hello", "exit 0"), login=False))
    broken.add_listener(seen.append)
    with pytest.raises(TransportError, match="did not run"):
        async for _line in broken.stream(["echo", "x"]):
            pass
    assert seen and seen[-1].error and "hello" in seen[-1].login_noise


async def test_terminal_command_is_framed_only_with_a_prelude() -> None:
    plain, _env = LocalTransport().terminal_command(["qsub", "-I"])
    assert plain == ["qsub", "-I"] and not hasattr(plain, "marker")
    t = LocalTransport(prelude=Prelude(lines=("true",), login=False))
    framed, _env = t.terminal_command(["qsub", "-I"])
    assert isinstance(framed, framing.FramedArgv) and framed.marker == t.marker
    assert framed[-2:] == ["qsub", "-I"]
