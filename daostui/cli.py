"""Command line: argument parsing, mode selection, and the sub-commands around the console.

Kept free of Textual at import time so `daostui --version`, `doctor` and `demo-shell` start fast;
the app is imported only when the console actually starts.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from daostui import __version__

EXAMPLES = """\
examples:
  daostui                      start the console (local mode when `daos` is found, else demo)
  daostui --demo               the simulated Aurora: try everything safely, no DAOS or PBS needed
  daostui --ssh alice@aurora.alcf.anl.gov
                               run every command on a login node from your laptop (one-time passcode asked)
  daostui --readonly           look but never change anything (no create, destroy, mount, qsub, qdel)
  daostui doctor --pool hpc_demo --cont checkpoints
                               run ALCF's DAOS troubleshooting checklist and print a report
  daostui doctor --job 8875431 also check the container is mounted on every node of that job
  daostui demo-shell           a shell with the simulated `daos`, `qsub`, `start-dfuse.sh`... on PATH
  daostui demo --reset         start the simulated Aurora over from its seeded initial state
  daostui demo --latency 2 --match 'qstat*'   make the simulated qstat slow (also --fault KIND, --clear)
  daostui serve --port 8000    the same console in a browser tab: open the address it prints
                               (it carries a per-run token); --unix-socket PATH for `ssh -L`

modes: local (subprocesses on this host, through `module load daos/base` when `daos` is not on PATH
but /soft/modulefiles exists), ssh (one multiplexed connection to a login node), demo (simulator).
"""


#: Options accepted before the sub-command and after it (`daostui --demo-dir D doctor` and
#: `daostui doctor --demo-dir D` mean the same): (dest, flags, argparse keywords).
SHARED_OPTIONS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("local", "--local", {"action": "store_true", "help": "run commands on this host"}),
    ("demo", "--demo", {"action": "store_true", "help": "use the embedded simulated Aurora"}),
    ("ssh", "--ssh", {"metavar": "[USER@]HOST[:PORT]", "help": "run commands on a login node over ssh"}),
    ("readonly", "--readonly", {"action": "store_true", "help": "hide and refuse every mutating action"}),
    ("config", "--config", {"metavar": "FILE", "type": Path, "help": "user config file (TOML)"}),
    ("demo_dir", "--demo-dir", {"metavar": "DIR", "type": Path, "help": "simulator state directory"}),
    ("demo_seed", "--demo-seed", {"metavar": "N", "type": int, "help": "simulator seed (default 0)"}),
)
MODES = ("local", "demo", "ssh")
SUB = "sub_"
#: Which shared options each sub-command takes (the console itself takes them all, before any).
SUBCOMMAND_OPTIONS = {
    "demo": ("demo_dir", "demo_seed"),
    "demo-shell": ("demo_dir", "demo_seed"),
    "serve": tuple(dest for dest, _flag, _kw in SHARED_OPTIONS),
    "doctor": tuple(dest for dest, _flag, _kw in SHARED_OPTIONS),
}


def _add_shared_options(parser: argparse.ArgumentParser, dests: Sequence[str], *, prefix: str = "") -> None:
    """The shared options, as given (None/absent when not given) so the two levels can be merged."""
    mode = parser.add_mutually_exclusive_group()
    for dest, flag, keywords in SHARED_OPTIONS:
        if dest not in dests:
            continue
        target = mode if dest in MODES else parser
        default = argparse.SUPPRESS if prefix else None
        target.add_argument(flag, dest=prefix + dest, default=default, **keywords)


def _given(value: Any) -> bool:
    """Whether an option was given (`--demo-seed 0` was; an absent flag is None or False)."""
    return value is not None and value is not False


def _merge_levels(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.Namespace:
    """One value per shared option, whether given before or after the sub-command.

    argparse lets a sub-parser's defaults overwrite what the main parser parsed, which once sent
    `daostui --demo-dir D demo --fault ...` to the wrong simulated site; here both levels are
    parsed apart, merged, and a conflict (or an option the sub-command does not use) is an error.
    """
    command = args.command or ""
    taken = SUBCOMMAND_OPTIONS.get(command, tuple(dest for dest, _flag, _kw in SHARED_OPTIONS))
    flags = {dest: flag for dest, flag, _kw in SHARED_OPTIONS}
    for dest, flag, _keywords in SHARED_OPTIONS:
        before = getattr(args, dest, None)
        after = getattr(args, SUB + dest, None)
        if hasattr(args, SUB + dest):
            delattr(args, SUB + dest)
        if _given(before) and dest not in taken:
            parser.error(f"{flag} does not apply to `daostui {command}`")
        if _given(before) and _given(after) and before != after:
            parser.error(
                f"{flag} given twice with different values: {before} (before `{command}`) and {after} (after it)"
            )
        setattr(args, dest, after if _given(after) else before)
    chosen = [dest for dest in MODES if getattr(args, dest)]
    if len(chosen) > 1:
        parser.error(f"{' and '.join(flags[d] for d in chosen)} are different modes: pick one")
    for dest in ("local", "demo", "readonly"):
        setattr(args, dest, bool(getattr(args, dest)))
    if args.demo_seed is None:
        args.demo_seed = 0
    return args


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="daostui",
        description="A terminal console for DAOS pools, containers, dfuse mounts and PBS jobs on Aurora.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"daostui {__version__}")
    _add_shared_options(parser, [dest for dest, _flag, _kw in SHARED_OPTIONS])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    shell = sub.add_parser("demo-shell", help="a shell with the simulator's tools on PATH")
    _add_shared_options(shell, SUBCOMMAND_OPTIONS["demo-shell"], prefix=SUB)

    demo = sub.add_parser("demo", help="manage the simulated Aurora")
    demo.add_argument("--reset", action="store_true", help="wipe and re-seed the simulator state")
    _add_shared_options(demo, SUBCOMMAND_OPTIONS["demo"], prefix=SUB)
    demo.add_argument("--print-dir", action="store_true", help="print the state directory")
    demo.add_argument(
        "--containers",
        metavar="N",
        type=int,
        default=0,
        help="with --reset: N extra containers in your pool (scale tests)",
    )
    demo.add_argument(
        "--jobs",
        metavar="N",
        type=int,
        default=0,
        help="with --reset: N extra jobs of other users in the queue (scale tests)",
    )
    demo.add_argument(
        "--latency",
        metavar="SECONDS",
        type=float,
        help="make every simulated command (or those matching --match) take this long",
    )
    demo.add_argument(
        "--fault",
        metavar="KIND",
        help="inject a fault: timeout, hang, exit, malformed, truncate, invalid_json, agent_down, "
        "unclean, hung_mount, lost_job, rebuild_failed, node_down, node_hung, node_unmounted (for "
        "hung_mount --match is the mount point, for rebuild_failed the pool label, for node_* a glob "
        "on compute node names)",
    )
    demo.add_argument(
        "--match",
        metavar="GLOB",
        default="*",
        help="which commands --latency/--fault apply to, e.g. 'qstat*' (default: all)",
    )
    demo.add_argument("--times", metavar="N", type=int, help="the fault applies N times only")
    demo.add_argument("--clear", action="store_true", help="remove every latency and fault")
    serve = sub.add_parser(
        "serve", help="serve the console to a browser tab (textual-serve), behind a per-run token"
    )
    _add_shared_options(serve, SUBCOMMAND_OPTIONS["serve"], prefix=SUB)
    serve.add_argument("--host", default="localhost", help="address to listen on (default: localhost only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--unix-socket",
        metavar="PATH",
        type=Path,
        help="listen on a unix socket (created 0600) instead of a port, for `ssh -L PORT:PATH`",
    )
    doctor = sub.add_parser("doctor", help="run the DAOS troubleshooting checklist and print a report")
    _add_shared_options(doctor, SUBCOMMAND_OPTIONS["doctor"], prefix=SUB)
    doctor.add_argument("--pool", default="", help="pool to check (default: configured or first visible)")
    doctor.add_argument("--cont", default="", help="container to check")
    doctor.add_argument(
        "--job",
        default="",
        metavar="ID",
        help="also check that every node of this running job has its container mounted",
    )
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    doctor.add_argument(
        "--long",
        action="store_true",
        help="also run pool autotest (not in --readonly: it writes) and container check",
    )
    return parser


def cmd_doctor(args: argparse.Namespace) -> int:
    """Exit status: 0 all passed, 1 warnings, 2 failures (the worst result)."""
    import asyncio

    from daostui.core.errors import DaostuiError
    from daostui.core.session import build_session
    from daostui.doctor import checklist as doctor

    try:
        session = build_session(args)
    except DaostuiError as exc:
        print(f"daostui doctor: {exc}", file=sys.stderr)
        return 2

    def progress(check: doctor.Check) -> None:
        if not args.json:
            print(f"[{check.status}] {check.title}", file=sys.stderr, flush=True)

    async def run() -> list[doctor.Check]:
        try:
            return await doctor.Doctor(
                session, pool=args.pool, cont=args.cont, job=args.job, progress=progress
            ).run(long_tests=args.long)
        finally:
            await session.close()

    checks = asyncio.run(run())
    print(doctor.report_json(session, checks) if args.json else doctor.report_text(session, checks))
    return doctor.exit_status(checks)


def _demo_dir(explicit: Path | None) -> Path:
    from daostui.core import paths

    return explicit if explicit is not None else paths.demo_dir()


def cmd_demo(args: argparse.Namespace) -> int:
    from daostui.sim import bindir, knobs, seed

    directory = _demo_dir(args.demo_dir)
    if args.reset:
        seed.reset(
            directory,
            seed=args.demo_seed,
            scale_containers=args.containers,
            scale_jobs=args.jobs,
            showcase=True,
        )
        bindir.prepare(directory, seed=args.demo_seed)
        print(f"simulated Aurora reset (seed {args.demo_seed}) in {directory}")
    else:
        bindir.prepare(directory, seed=args.demo_seed)
    knobbed = args.clear or args.latency is not None or args.fault
    if args.clear:
        knobs.clear(directory)
        print("latency and faults cleared")
    if args.latency is not None:
        knobs.set_latency(directory, args.latency, args.match)
        print(f"latency {args.latency:g}s for commands matching {args.match!r}")
    if args.fault:
        try:
            knobs.add_fault(directory, args.fault, args.match, remaining=args.times)
        except ValueError as exc:
            print(f"daostui demo: {exc}", file=sys.stderr)
            return 2
        print(
            f"fault {args.fault} for commands matching {args.match!r}"
            + (f", {args.times} time(s)" if args.times else "")
        )
    if args.print_dir or not (args.reset or knobbed):
        print(directory)
    return 0


DEMO_BANNER = """\
daostui demo shell: the simulated Aurora's tools are first on PATH ({bin}).
Try the tutorial:  daos pool list ; daos pool query datascience ;
  daos container create --type POSIX hpc_demo mycont --properties rd_fac:1 ; daos cont list hpc_demo
  mkdir -p /tmp/$USER/hpc_demo/mycont ; start-dfuse.sh -m /tmp/$USER/hpc_demo/mycont --pool hpc_demo --cont mycont
  echo hello > /tmp/$USER/hpc_demo/mycont/hello.txt ; fusermount3 -u /tmp/$USER/hpc_demo/mycont
  qstat -Q ; qsub -A hpc_demo -q debug -l select=1,walltime=00:10:00,filesystems=home:flare:daos_user job.sh
Run `daostui --demo` in another terminal to watch the console follow. `exit` leaves.
"""


def demo_rc(bin_path: Path, banner: str) -> str:
    """The rc file of the demo shell. Every value is `shlex.quote`d: a demo dir named `$(...)` must
    be a strange name, not a command (double quotes would run it)."""
    return (
        "[ -f ~/.bashrc ] && . ~/.bashrc\n"
        f'export PATH={shlex.quote(str(bin_path))}:"$PATH"\n'
        'PS1="(aurora-demo) \\u@\\h:\\w\\$ "\n'
        f"printf '%s\\n' {shlex.quote(banner.rstrip(chr(10)))}\n"
    )


def cmd_demo_shell(args: argparse.Namespace) -> int:
    import subprocess
    import tempfile

    from daostui.sim import bindir, environment

    directory = _demo_dir(args.demo_dir)
    bin_path = bindir.prepare(directory, seed=args.demo_seed)
    env = {**os.environ, **environment(directory)}
    banner = DEMO_BANNER.format(bin=bin_path)
    shell = os.environ.get("SHELL", "/bin/bash")
    with tempfile.NamedTemporaryFile("w", suffix=".bashrc", delete=False) as rc:
        rc.write(demo_rc(bin_path, banner))
    try:
        if shell.endswith("bash"):
            argv = [shell, "--rcfile", rc.name, "-i"]
        else:
            print(banner)
            argv = [shell, "-i"]
        return subprocess.call(argv, env=env)
    finally:
        os.unlink(rc.name)


def check_theme(name: str) -> None:
    """An unknown `theme` is a config error naming the key, not a traceback when the app starts.

    Checked against Textual's built-in themes without starting an app (the console registers
    no theme of its own)."""
    if not name:
        return
    from textual.theme import BUILTIN_THEMES

    from daostui.core.config import ConfigError

    if name not in BUILTIN_THEMES:
        raise ConfigError(
            f"config key 'theme' = {name!r} is not a Textual theme: use one of {', '.join(sorted(BUILTIN_THEMES))}",
            field="theme",
            rule="known theme",
        )


def pause_collector() -> None:
    """No garbage collection until the console's first frame (the app resumes it, in `_first_refresh`).

    Starting the console creates ~300,000 objects (modules, classes, styles, widgets) that live as
    long as it does and almost no garbage; the collector still ran several full collections over
    them before the first frame, up to 35 ms each. The app freezes them once the console is on
    screen, then collects as usual."""
    import gc

    gc.disable()


def cmd_console(args: argparse.Namespace) -> int:
    import gc

    pause_collector()
    try:
        return _run_console(args)
    finally:
        gc.enable()  # a console that never started (bad options) or has ended collects as usual


def _run_console(args: argparse.Namespace) -> int:
    from daostui.core.errors import DaostuiError
    from daostui.core.session import build_session

    try:
        session = build_session(args)
        check_theme(session.config.theme)
    except DaostuiError as exc:
        print(f"daostui: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"  {exc.hint}", file=sys.stderr)
        return 2
    from daostui.app import DaosTui

    app = DaosTui(session)
    app.run()
    return app.return_code or 0


def console_argv(args: argparse.Namespace) -> list[str]:
    """The command that starts this same console, for textual-serve to run once per browser tab."""
    argv = [sys.executable, "-m", "daostui"]
    if args.local:
        argv.append("--local")
    if args.demo:
        argv.append("--demo")
    if args.ssh:
        argv += ["--ssh", args.ssh]
    if args.readonly:
        argv.append("--readonly")
    if args.config:
        argv += ["--config", str(args.config)]
    if args.demo_dir:
        argv += ["--demo-dir", str(args.demo_dir)]
    if args.demo_seed:
        argv += ["--demo-seed", str(args.demo_seed)]
    return argv


def cmd_serve(args: argparse.Namespace) -> int:
    """One console process per browser tab, behind this run's token (daostui/serve.py); bound to
    localhost by default. The config is checked here first, so a mistake is reported in this
    terminal rather than in a browser tab."""
    from daostui.core.config import load_config
    from daostui.core.errors import DaostuiError

    try:
        check_theme(load_config(args.config).theme)
    except DaostuiError as exc:
        print(f"daostui serve: {exc}", file=sys.stderr)
        return 2
    from daostui import serve

    # textual-serve takes a command line; every part is quoted so paths with spaces stay whole.
    # It holds no token: other accounts can read a process's argv with `ps`.
    command = shlex.join(console_argv(args))
    return serve.run(command, host=args.host, port=args.port, unix_socket=args.unix_socket)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = _merge_levels(parser, parser.parse_args(argv))
    handlers = {"demo": cmd_demo, "demo-shell": cmd_demo_shell, "doctor": cmd_doctor, "serve": cmd_serve}
    handler = handlers.get(args.command or "", cmd_console)
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
