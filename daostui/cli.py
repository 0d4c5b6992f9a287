"""Command line: argument parsing, mode selection, and the sub-commands around the console.

Kept free of Textual at import time so `daostui --version`, `doctor` and `demo-shell` start fast;
the app is imported only when the console actually starts.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

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
  daostui demo-shell           a shell with the simulated `daos`, `qsub`, `start-dfuse.sh`... on PATH
  daostui demo --reset         start the simulated Aurora over from its seeded initial state
  daostui demo --latency 2 --match 'qstat*'   make the simulated qstat slow (also --fault KIND, --clear)
  daostui serve --port 8000    the same console in a browser tab (http://localhost:8000)

modes: local (subprocesses on this host, through `module load daos/base` when `daos` is not on PATH
but /soft/modulefiles exists), ssh (one multiplexed connection to a login node), demo (simulator).
"""


def _add_mode_options(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--local", action="store_true", help="run commands on this host")
    mode.add_argument("--demo", action="store_true", help="use the embedded simulated Aurora")
    mode.add_argument("--ssh", metavar="[USER@]HOST[:PORT]", help="run commands on a login node over ssh")
    parser.add_argument("--readonly", action="store_true", help="hide and refuse every mutating action")
    parser.add_argument("--config", metavar="FILE", type=Path, help="config file (TOML)")
    parser.add_argument("--demo-dir", metavar="DIR", type=Path, help="simulator state directory")
    parser.add_argument("--demo-seed", metavar="N", type=int, default=0, help="simulator seed (default 0)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="daostui",
        description="A terminal console for DAOS pools, containers, dfuse mounts and PBS jobs on Aurora.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"daostui {__version__}")
    _add_mode_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    shell = sub.add_parser("demo-shell", help="a shell with the simulator's tools on PATH")
    shell.add_argument("--demo-dir", metavar="DIR", type=Path)
    shell.add_argument("--demo-seed", metavar="N", type=int, default=0)

    demo = sub.add_parser("demo", help="manage the simulated Aurora")
    demo.add_argument("--reset", action="store_true", help="wipe and re-seed the simulator state")
    demo.add_argument("--demo-dir", metavar="DIR", type=Path)
    demo.add_argument("--demo-seed", metavar="N", type=int, default=0)
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
        "unclean, hung_mount, lost_job",
    )
    demo.add_argument(
        "--match",
        metavar="GLOB",
        default="*",
        help="which commands --latency/--fault apply to, e.g. 'qstat*' (default: all)",
    )
    demo.add_argument("--times", metavar="N", type=int, help="the fault applies N times only")
    demo.add_argument("--clear", action="store_true", help="remove every latency and fault")
    serve = sub.add_parser("serve", help="serve the console to a browser tab (textual-serve)")
    _add_mode_options(serve)
    serve.add_argument("--host", default="localhost", help="address to listen on (default: localhost only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    doctor = sub.add_parser("doctor", help="run the DAOS troubleshooting checklist and print a report")
    _add_mode_options(doctor)
    doctor.add_argument("--pool", default="", help="pool to check (default: configured or first visible)")
    doctor.add_argument("--cont", default="", help="container to check")
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    doctor.add_argument("--long", action="store_true", help="also run pool autotest and container check")
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
            return await doctor.Doctor(session, pool=args.pool, cont=args.cont, progress=progress).run(
                long_tests=args.long
            )
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
        rc.write("[ -f ~/.bashrc ] && . ~/.bashrc\n")
        rc.write(f'export PATH="{bin_path}:$PATH"\n')
        rc.write('PS1="(aurora-demo) \\u@\\h:\\w\\$ "\n')
        rc.write(f"cat <<'DAOSTUI_BANNER'\n{banner}DAOSTUI_BANNER\n")
    try:
        if shell.endswith("bash"):
            argv = [shell, "--rcfile", rc.name, "-i"]
        else:
            print(banner)
            argv = [shell, "-i"]
        return subprocess.call(argv, env=env)
    finally:
        os.unlink(rc.name)


def cmd_console(args: argparse.Namespace) -> int:
    from daostui.core.errors import DaostuiError
    from daostui.core.session import build_session

    try:
        session = build_session(args)
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
    """One console process per browser tab; bound to localhost by default (the console can run
    commands as you: exposing it on a shared login node's network would let others do so)."""
    import shlex

    from textual_serve.server import Server

    # textual-serve takes a command line; every part is quoted so paths with spaces stay whole
    command = shlex.join(console_argv(args))
    print(f"daostui: serving the console on http://{args.host}:{args.port} (ctrl+c stops)", flush=True)
    Server(command, host=args.host, port=args.port, title="daostui").serve()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handlers = {"demo": cmd_demo, "demo-shell": cmd_demo_shell, "doctor": cmd_doctor, "serve": cmd_serve}
    handler = handlers.get(args.command or "", cmd_console)
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
