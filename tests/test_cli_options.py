"""The command line: options before or after the sub-command, the theme check, the demo shell's rc.

`daostui --demo-dir D demo --fault ...` used to send the fault to the default simulated site
(argparse let the sub-command's default overwrite the option given before it); a theme name that
Textual does not know ended start-up with a traceback; the demo shell pasted its directory inside
double quotes, so `$(...)` in the path ran.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from daostui import cli
from daostui.core.config import ConfigError
from daostui.sim import knobs


def parse(*argv: str):
    parser = cli.build_parser()
    return cli._merge_levels(parser, parser.parse_args(list(argv)))


@pytest.mark.parametrize(
    "argv",
    [
        ("--demo-dir", "D", "demo", "--reset"),
        ("demo", "--demo-dir", "D", "--reset"),
        ("--demo-dir", "D", "demo", "--demo-dir", "D", "--reset"),
    ],
)
def test_demo_dir_before_or_after_the_sub_command(argv) -> None:
    args = parse(*argv)
    assert args.command == "demo" and args.demo_dir == Path("D") and args.reset


@pytest.mark.parametrize(
    "argv",
    [
        ("--demo", "--demo-dir", "D", "--demo-seed", "3", "doctor"),
        ("doctor", "--demo", "--demo-dir", "D", "--demo-seed", "3"),
        ("--demo", "doctor", "--demo-dir", "D", "--demo-seed", "3"),
        ("--demo-dir", "D", "serve", "--demo", "--demo-seed", "3"),
    ],
)
def test_mode_options_before_or_after(argv) -> None:
    args = parse(*argv)
    assert (args.demo, args.demo_dir, args.demo_seed, args.local, args.ssh) == (
        True,
        Path("D"),
        3,
        False,
        None,
    )


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("--demo-dir", "A", "demo", "--demo-dir", "B"), "--demo-dir given twice"),
        (("--demo-seed", "1", "doctor", "--demo-seed", "2"), "--demo-seed given twice"),
        (("--demo-seed", "0", "doctor", "--demo-seed", "2"), "--demo-seed given twice"),
        (("--local", "doctor", "--demo"), "different modes"),
        (("--ssh", "h", "serve", "--ssh", "other"), "--ssh given twice"),
        (("--ssh", "h", "demo"), "does not apply"),
        (("--readonly", "demo-shell"), "does not apply"),
    ],
)
def test_conflicts_are_errors(argv, words: str, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        parse(*argv)
    assert exited.value.code == 2
    assert words in capsys.readouterr().err


def test_defaults() -> None:
    args = parse()
    assert (args.command, args.demo, args.local, args.readonly, args.demo_dir, args.demo_seed) == (
        None,
        False,
        False,
        False,
        None,
        0,
    )


def test_a_fault_given_after_a_top_level_demo_dir_goes_to_that_site(tmp_path: Path, capsys) -> None:
    site = tmp_path / "site"
    assert cli.main(["--demo-dir", str(site), "demo", "--fault", "timeout", "--match", "qstat*"]) == 0
    assert "fault timeout" in capsys.readouterr().out
    assert [f["kind"] for f in knobs.load(site)["faults"]] == ["timeout"]


def test_doctor_uses_the_top_level_demo_dir(demo_dir: Path, tmp_path: Path, capsys) -> None:
    knobs.add_fault(demo_dir, "agent_down", "*")
    status = cli.main(["--demo", "--demo-dir", str(demo_dir), "doctor", "--json"])
    report = json.loads(capsys.readouterr().out)
    agent = next(c for c in report["checks"] if c["id"] == "agent")
    assert agent["status"] == "FAIL", "the doctor ran against another simulated site"
    assert status == 2


def test_an_unknown_theme_is_a_message_naming_the_key(demo_dir: Path, tmp_path: Path, capsys) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "solarised"\n')
    assert cli.main(["--demo", "--demo-dir", str(demo_dir), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "'theme'" in err and "'solarised'" in err and "solarized-dark" in err
    cli.check_theme("nord")
    cli.check_theme("")
    with pytest.raises(ConfigError):
        cli.check_theme("no-such")


def test_demo_shell_quotes_its_paths(tmp_path: Path) -> None:
    """A demo dir named `$(touch PWNED)` is a strange name, not a command."""
    demo = tmp_path / "$(touch PWNED)" / "demo"
    env = {
        **os.environ,
        "SHELL": "/bin/bash",
        "HOME": str(tmp_path),
        "DAOSTUI_STATE_DIR": str(tmp_path / "s"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "daostui", "demo-shell", "--demo-dir", str(demo)],
        input='echo "PATH=$PATH"\nexit\n',
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert not (tmp_path / "PWNED").exists(), "the path ran as a command"
    assert f"PATH={demo / 'bin'}:" in result.stdout, result.stdout + result.stderr
    assert "daostui demo shell" in result.stdout + result.stderr


def test_demo_rc_file_is_quoted() -> None:
    rc = cli.demo_rc(Path("/x/$(id)/bin"), "banner `id` $(id)\n")
    assert "export PATH='/x/$(id)/bin':\"$PATH\"" in rc.splitlines()
    assert "printf '%s\\n' 'banner `id` $(id)'" in rc.splitlines()
