"""The local transport with real subprocesses: timeouts, cancel, big and hostile output, stdin."""

from __future__ import annotations

import asyncio
import os
import sys
import time

import pytest

from daostui.transport.base import EXIT_TIMEOUT, Prelude
from daostui.transport.local import LocalTransport
from daostui.transport.log import CommandLog

PY = sys.executable


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0); treat it as gone
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


async def test_run_captures_exit_status_and_streams() -> None:
    t = LocalTransport()
    r = await t.run([PY, "-c", "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"])
    assert r.exit_status == 3
    assert r.stdout == "out\n"
    assert r.stderr == "err\n"
    assert not r.ok and r.outcome == "exit 3"
    assert r.duration > 0 and r.started_at > 0
    assert r.where.startswith("local:")


async def test_timeout_kills_whole_process_group(tmp_path) -> None:
    pidfile = tmp_path / "child.pid"
    script = (
        "import subprocess, sys, time;"
        f"p = subprocess.Popen([{PY!r}, '-c', 'import time; time.sleep(60)']);"
        f"open({str(pidfile)!r}, 'w').write(str(p.pid));"
        "print('started', flush=True); time.sleep(60)"
    )
    t = LocalTransport()
    start = time.monotonic()
    r = await t.run([PY, "-c", script], timeout=1.0)
    assert time.monotonic() - start < 8
    assert r.timed_out and not r.ok
    assert r.exit_status == EXIT_TIMEOUT
    assert r.outcome == "timed out"
    assert "started" in r.stdout  # partial output is kept
    child = int(pidfile.read_text())
    for _ in range(50):
        if not _alive(child):
            break
        await asyncio.sleep(0.1)
    assert not _alive(child), "the grandchild survived the timeout"


async def test_cancel_kills_and_is_recorded() -> None:
    seen = []
    t = LocalTransport()
    t.add_listener(seen.append)
    task = asyncio.ensure_future(t.run([PY, "-c", "import time; time.sleep(60)"], timeout=None))
    await asyncio.sleep(0.5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen and seen[-1].cancelled and not seen[-1].ok
    assert seen[-1].outcome == "cancelled"


async def test_ten_megabytes_without_deadlock() -> None:
    t = LocalTransport()
    code = "import sys; sys.stdout.write('x' * (10 * 1024 * 1024)); sys.stderr.write('e' * (2 * 1024 * 1024))"
    r = await t.run([PY, "-c", code], timeout=30)
    assert r.ok
    assert len(r.stdout) == 10 * 1024 * 1024
    assert len(r.stderr) == 2 * 1024 * 1024


async def test_non_utf8_output_is_replaced_not_fatal() -> None:
    t = LocalTransport()
    r = await t.run([PY, "-c", "import sys; sys.stdout.buffer.write(b'ok\\xff\\xfe\\x80 end\\n')"])
    assert r.ok
    assert r.stdout.startswith("ok") and r.stdout.endswith(" end\n")
    assert "\ufffd" in r.stdout


async def test_stdin_is_delivered() -> None:
    t = LocalTransport()
    r = await t.run([PY, "-c", "import sys; print(sys.stdin.read().upper())"], stdin="hello")
    assert r.stdout.strip() == "HELLO"


async def test_missing_program_is_not_run() -> None:
    t = LocalTransport()
    r = await t.run(["daostui-no-such-program-xyz", "pool", "list"])
    assert not r.ok
    assert r.exit_status == 127
    assert "command not found" in r.error
    assert r.outcome == "not run"


async def test_env_and_cwd(tmp_path) -> None:
    t = LocalTransport(env={"DAOSTUI_A": "from-transport"})
    r = await t.run(
        [PY, "-c", "import os; print(os.environ['DAOSTUI_A'], os.environ['DAOSTUI_B'], os.getcwd())"],
        env={"DAOSTUI_B": "from-call"},
        cwd=str(tmp_path),
    )
    assert r.stdout.split() == ["from-transport", "from-call", str(tmp_path)]


async def test_prelude_runs_first_and_passes_argv_untouched() -> None:
    # a hostile argument must reach the program verbatim, never interpreted by the shell
    hostile = "a b; touch /tmp/daostui-canary-$(id -u) 'q\"x"
    t = LocalTransport(prelude=Prelude(lines=("export DAOSTUI_PRE=loaded",), login=False))
    r = await t.run(
        [PY, "-c", "import os, sys; print(os.environ['DAOSTUI_PRE']); print(sys.argv[1])", hostile]
    )
    assert r.ok, r.stderr
    assert r.stdout.splitlines() == ["loaded", hostile]
    assert r.argv[-1] == hostile  # the log shows what the user asked for
    assert r.wrapped_argv[:2] == ("bash", "-c")


async def test_stream_yields_lines_and_splits_huge_ones() -> None:
    t = LocalTransport()
    code = "import sys; print('one'); print('two'); sys.stdout.write('z' * 200000 + '\\n')"
    lines = [line async for line in t.stream([PY, "-c", code])]
    assert lines[:2] == ["one", "two"]
    assert "".join(lines[2:]) == "z" * 200000
    assert all(len(line) <= 65536 for line in lines)


async def test_stream_close_kills_the_command(tmp_path) -> None:
    t = LocalTransport()
    code = "import os, time; print(os.getpid(), flush=True); time.sleep(60)"
    agen = t.stream([PY, "-c", code])
    pid = int(await agen.__anext__())
    await agen.aclose()
    for _ in range(50):
        if not _alive(pid):
            break
        await asyncio.sleep(0.1)
    assert not _alive(pid)


async def test_command_log_bounded_and_persisted(tmp_path) -> None:
    path = tmp_path / "state" / "commands.jsonl"
    log = CommandLog(path, maxlen=3)
    t = LocalTransport()
    t.add_listener(log.record)
    for i in range(5):
        await t.run([PY, "-c", f"print({i})"])
    assert [r.stdout.strip() for r in log.entries()] == ["2", "3", "4"]
    saved = CommandLog(path).load_saved()
    assert len(saved) == 5
    assert saved[0].argv[-1] == "print(0)"
    assert saved[-1].exit_status == 0


def test_command_log_clips_huge_output_in_file(tmp_path) -> None:
    from daostui.transport.base import CommandResult

    path = tmp_path / "c.jsonl"
    log = CommandLog(path)
    big = CommandResult(("qstat",), 0, "y" * 100_000, "", 0.1, 1.0, "local:x")
    log.record(big)
    assert len(log.entries()[0].stdout) == 100_000
    assert path.stat().st_size < 20_000
