"""`mount` and `df` in the demo shell: the real tools, plus the simulator's table-file dfuse mounts.

Real FUSE mounts (see `fuse_mount`) are in the kernel's table, so the real `mount` and `df` show
them by themselves. Where the simulator falls back to table-file mounts (a symlink per mount point),
these shims add them in the real tools' formats, so the tutorial's `mount | grep dfuse` and `df -h`
answer as on Aurora (inside a job, with the job's head node's mounts, not the login node's):

- `mount` (no arguments, or `-l`, or `-t fuse.daos`): util-linux's `SOURCE on TARGET type TYPE
  (OPTIONS)` lines, after the real ones;
- `df [-h|-H|-k] [PATH...]`: GNU df's table with a `dfuse` row per mount; sizes are what dfuse's
  statfs reports (ops/statfs.c: SCM + NVMe totals and free space of the pool), rounded up as df
  rounds; columns re-aligned as df aligns them (Filesystem at least 14 wide and left-aligned,
  numbers right-aligned in at least 5 (`Use%` 4), the mount point last, unpadded).

Any other use runs the real tool unchanged.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from daostui.sim import daos_state as ds
from daostui.sim import node_mounts, store

MOUNT_OPTIONS = "rw,nosuid,nodev,noatime,user_id={uid},group_id={gid},default_permissions"
DF_MIN_WIDTHS = (14, 5, 5, 5, 4, 0)
DF_HEADERS = {
    "k": ("Filesystem", "1K-blocks", "Used", "Available", "Use%", "Mounted on"),
    "h": ("Filesystem", "Size", "Used", "Avail", "Use%", "Mounted on"),
    "H": ("Filesystem", "Size", "Used", "Avail", "Use%", "Mounted on"),
}


def _real(directory: Path, program: str) -> str:
    bin_dir = os.path.realpath(directory / "bin")
    search = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and os.path.realpath(p) != bin_dir]
    return shutil.which(program, path=os.pathsep.join([*search, "/usr/bin", "/bin"])) or f"/bin/{program}"


def simulated_mounts(directory: Path) -> dict[str, dict[str, Any]]:
    """The table-file (not kernel) dfuse mounts of the node this runs on.

    Inside a job (`$PBS_NODEFILE` set) that is the job's head node, whose mounts `launch-dfuse.sh`
    recorded; elsewhere the login node.
    """
    nodes = node_mounts.job_nodes()
    with store.lock(directory):
        mounts = (
            store.load(directory, "nodes").get(nodes[0], {}) if nodes else store.load(directory, "mounts")
        )
    return {path: entry for path, entry in sorted(mounts.items()) if not entry.get("real")}


def mount_main(directory: Path, args: list[str]) -> int:
    listing = not args or args == ["-l"] or (len(args) == 2 and args[0] == "-t")
    real = _real(directory, "mount")
    if not listing:
        os.execv(real, [real, *args])
    wanted = args[1] if len(args) == 2 else ""
    done = subprocess.run([real, *args], capture_output=True, text=True, check=False)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    if wanted in ("", "fuse.daos"):
        for path, entry in simulated_mounts(directory).items():
            options = MOUNT_OPTIONS.format(uid=entry["uid"], gid=entry["gid"])
            sys.stdout.write(f"dfuse on {path} type fuse.daos ({options})\n")
    return 0 if wanted in ("", "fuse.daos") else done.returncode


# ---------------------------------------------------------------------- df
def human(value: int, base: int) -> str:
    """coreutils human_readable (-h: 1024, -H: 1000), rounded up, one decimal below 10."""
    units = "KMGTPEZY" if base == 1024 else "kMGTPEZY"
    if value < base:
        return str(value)
    exponent, scaled = 0, float(value)
    while scaled >= base and exponent < len(units):
        scaled /= base
        exponent += 1
    if scaled < 10:
        rounded = math.ceil(scaled * 10 - 1e-9) / 10
        if rounded < 10:
            return f"{rounded:.1f}{units[exponent - 1]}"
        scaled = rounded
    whole = math.ceil(scaled - 1e-9)
    if whole >= base and exponent < len(units):
        return f"1.0{units[exponent]}"
    return f"{whole}{units[exponent - 1]}"


def df_row(directory: Path, path: str, entry: dict[str, Any], style: str) -> list[str]:
    data = ds.load_state(directory)
    pool = ds.find_pool(data, entry["pool_uuid"])
    tiers = ds.pool_info(directory, pool)["tier_stats"] if pool else []
    size = sum(t["total"] for t in tiers)
    avail = sum(t["free"] for t in tiers)
    used = size - avail
    pct = f"{math.ceil(used * 100 / size)}%" if size else "-"
    if style == "k":
        cells = [str(math.ceil(n / 1024)) for n in (size, used, avail)]
    else:
        cells = [human(n, 1024 if style == "h" else 1000) for n in (size, used, avail)]
    return ["dfuse", *cells, pct, path]


def render(rows: list[list[str]]) -> str:
    widths = [max(DF_MIN_WIDTHS[i], *(len(r[i]) for r in rows)) for i in range(5)]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [row[i].rjust(widths[i]) for i in range(1, 5)] + [row[5]]
        lines.append(" ".join(cells))
    return "\n".join(lines) + "\n"


def df_main(directory: Path, args: list[str]) -> int:
    real = _real(directory, "df")
    options = [a for a in args if a.startswith("-")]
    style = {"": "k", "-k": "k", "-h": "h", "-H": "H"}.get("".join(options), "")
    sims = simulated_mounts(directory)
    if not style or not sims:
        os.execv(real, [real, *args])
    paths = [a for a in args if not a.startswith("-")]

    def mount_of(arg: str) -> str | None:
        full = os.path.normpath(os.path.abspath(arg))
        return next((p for p in sims if full == p or full.startswith(p.rstrip("/") + "/")), None)

    chosen = list(sims) if not paths else [m for a in paths if (m := mount_of(a))]
    others = [a for a in paths if mount_of(a) is None]
    rows = [list(DF_HEADERS[style])]
    status = 0
    if not paths or others:
        done = subprocess.run([real, *options, *others], capture_output=True, text=True, check=False)
        sys.stderr.write(done.stderr)
        status = done.returncode
        rows += [line.split(None, 5) for line in done.stdout.splitlines()[1:] if line.strip()]
    rows += [df_row(directory, path, sims[path], style) for path in chosen]
    if len(rows) > 1:
        sys.stdout.write(render([r + [""] * (6 - len(r)) for r in rows]))
    return status


def main(program: str, args: list[str]) -> int:
    directory = store.state_dir()
    return df_main(directory, args) if program == "df" else mount_main(directory, args)
