"""qstat's tables, ported from OpenPBS 23.06.06 `src/cmds/qstat.c` (pbs.md §3.1, §3.2, §3.7).

- default (`qstat`, `-x`, `-t`, `-w`): `display_statjob()`; the id column is 17 wide, 22 when the
  server's `max_job_sequence_id` exceeds 9,999,999 (ALT_DISPLAY_INCR_WIDTH), 30 with `-w`;
- alternate (`-a`, `-u`, `-n`, `-s`, `-1`, `-T`, `-i`, `-r`, `-H`, `-G`, `-M`): `altdsp_statjob()`,
  a blank line and `server: comment` first, values cut with `trunc_value()` (last kept character
  becomes `*`) and printed with `%-N.Ns`, blanks as ` -- `;
- queues (`-Q`, `-q`): `display_statque()` and `altdsp_statque()`.
"""

from __future__ import annotations

import time
from typing import Any

from daostui.sim.pbs_format import attributes, queue_counts, record_id
from daostui.sim.pbs_state import QUEUES, SERVER, hms

BLANK = " -- "
COMMENT_SHORT, COMMENT_WIDE = 74, 114  # COMMENTLENSCOPE_*: longer comments are cut (to 70/110 + "...")
WEEK = 604800


def incr_width(server: dict[str, Any]) -> bool:
    return int(server.get("max_job_sequence_id", 9999999)) > 9999999


def _trunc(value: str, length: int) -> str:
    """`trunc_value()`: a value longer than `length` gets `*` as its last kept character."""
    return value[: length - 1] + "*" if len(value) > length else value


def _name_cut(value: str, length: int) -> str:
    """display_statjob's job name rule: `length` or more characters → length-1 and `*`."""
    return value[: length - 1] + "*" if len(value) >= length else value


def default_table(jobs: list[dict[str, Any]], now: float, *, server: dict[str, Any], wide: bool) -> str:
    if not jobs:
        return ""
    if wide:
        id_width, name_width, user_width, queue_width = 30, 15, 15, 15
        header = (
            "Job id                         Name            User             Time Use S Queue\n"
            "-----------------------------  --------------- ---------------  -------- - ---------------\n"
        )
    elif incr_width(server):
        id_width, name_width, user_width, queue_width = 22, 16, 16, 16
        header = (
            "Job id                 Name             User              Time Use S Queue\n"
            "---------------------  ---------------- ----------------  -------- - -----\n"
        )
    else:
        id_width, name_width, user_width, queue_width = 17, 16, 16, 16
        header = (
            "Job id            Name             User              Time Use S Queue\n"
            "----------------  ---------------- ----------------  -------- - -----\n"
        )
    lines = [header]
    for job in jobs:
        attrs = attributes(job, now)
        head, _, rest = record_id(job).partition(".")
        short = f"{head}.{rest.split('.', 1)[0]}"
        cput = _trunc(str(attrs.get("resources_used", {}).get("cput", "0")), 8)
        lines.append(
            f"{_trunc(short, id_width):<{id_width}} {_name_cut(job['name'], name_width):<{name_width}} "
            f"{_trunc(job['owner'], user_width):<{user_width}}  {cput:>8} {job['state']:1} "
            f"{_trunc(job['queue'], queue_width):<{queue_width}}\n"
        )
    return "".join(lines)


def estimated_start(stamp: float | None, now: float, *, wide: bool) -> str:
    """`cnvt_est_start_time()`: when a queued job should start, in the `-T` column."""
    if stamp is None:
        return "--"
    if stamp < now:
        return "--"
    then, today = time.localtime(stamp), time.localtime(now)
    if wide:
        if then.tm_year != today.tm_year:
            return time.strftime("%a %b %d %Y %H:%M", then)
        if then.tm_yday == today.tm_yday:
            return time.strftime("Today %H:%M", then)
        if today.tm_yday - today.tm_wday <= then.tm_yday <= today.tm_yday + 6 - today.tm_wday:
            return time.strftime("%a %H:%M", then)
        return time.strftime("%a %b %d %H:%M", then)
    if then.tm_year == today.tm_year and then.tm_yday == today.tm_yday:
        return time.strftime("%H:%M", then)
    if stamp - now < WEEK:
        return f"{time.strftime('%a', then)[:2]} {time.strftime('%H', then)}"
    if then.tm_year == today.tm_year:
        return time.strftime("%b", then)
    return time.strftime("%Y", then) if then.tm_year - today.tm_year < 5 else ">5yrs"


def _alt_header(*, wide: bool, incr: bool, estimated: bool) -> str:
    last = "Start" if estimated else "Elap"
    if wide:
        widths = (30, 15, 15, 15, 8, 4, 5)
        spaces = " ".join(" " * w for w in widths) + " "
        top = (spaces + "               Est\n") if estimated else ""
        names = ("Job ID", "Username", "Queue", "Jobname", "SessID", "NDS", "TSK")
        return (
            "\n"
            + top
            + f"{spaces}Req'd  Req'd   {last}\n"
            + " ".join(f"{n:<{w}}" for n, w in zip(names, widths, strict=True))
            + " Memory Time  S Time\n"
            + " ".join("-" * w for w in widths)
            + " ------ ----- - -----\n"
        )
    pad = 65 if incr else 60
    top = f"\n{' ' * (pad + 15)}Est" if estimated else ""
    if incr:
        columns = (
            "Job ID               Username Queue    Jobname    SessID NDS TSK Memory Time  S Time\n"
            "-------------------- -------- -------- ---------- ------ --- --- ------ ----- - -----\n"
        )
    else:
        columns = (
            "Job ID          Username Queue    Jobname    SessID NDS TSK Memory Time  S Time\n"
            "--------------- -------- -------- ---------- ------ --- --- ------ ----- - -----\n"
        )
    return f"{top}\n{' ' * pad}Req'd  Req'd   {last}\n{columns}"


def _nodes_lines(exec_host: str, one_line: bool) -> str:
    """`prt_nodes()`: exec_host entries (short host names) packed into lines under 77 characters."""
    if not exec_host:
        return "\n" if one_line else ""
    out, line = [], ""
    for entry in exec_host.split("+"):
        host, slash, rest = entry.partition("/")
        name = host.split(".", 1)[0] + slash + rest
        if len(line) + len(name) < 77:
            line += name + "+"
        else:
            out.append(line if one_line else f"   {line}\n")
            line = name + "+"
    out.append(line[:-1] + "\n" if one_line else f"   {line[:-1]}\n")
    return "".join(out)


def alt_table(
    jobs: list[dict[str, Any]], now: float, *, server: dict[str, Any], flags: set[str], comment: str = ""
) -> str:
    """`qstat -a` and its variants: `s` comments, `n` nodes, `1` on one line, `T` estimated start, `w` wide."""
    if not jobs:
        return ""
    wide, incr, estimated = "w" in flags, incr_width(server), "T" in flags
    out = [f"\n{SERVER}: {comment}", _alt_header(wide=wide, incr=incr, estimated=estimated)]
    widths = (30, 15, 15, 15, 8, 4, 5) if wide else ((20 if incr else 15), 8, 8, 10, 6, 3, 3)
    if estimated:
        jobs = sorted(jobs, key=lambda job: job.get("estimated") or 0)
    for job in jobs:
        attrs = attributes(job, now)
        resources, used = attrs["Resource_List"], attrs.get("resources_used", {})
        state = job["state"]
        if estimated:
            planned = job.get("estimated") if state in ("Q", "S", "B") else None
            last = estimated_start(planned, now, wide=wide) if state in ("Q", "S", "B") else "--"
        else:
            last = str(used.get("walltime", BLANK))
        values = (
            _trunc(record_id(job), widths[0]),
            _trunc(job["owner"], widths[1]),
            _trunc(job["queue"], widths[2]),
            _trunc(job["name"], widths[3]),
            _trunc(str(attrs.get("session_id", BLANK)), widths[4]),
            _trunc(str(resources.get("nodect", BLANK)), widths[5]),
            _trunc(str(resources.get("ncpus", BLANK)), widths[6]),
        )
        row = " ".join(
            f"{value:<{w}.{w}}" if index < 4 else f"{value:>{w}.{w}}"
            for index, (value, w) in enumerate(zip(values, widths, strict=True))
        )
        walltime = str(resources.get("walltime", BLANK))
        out.append(f"{row} {BLANK:>6.6} {walltime:>5.5} {state:1.1} {last:>5.5}")
        out.append(" " if "1" in flags else "\n")
        if "n" in flags:
            out.append(_nodes_lines(str(attrs.get("exec_host", BLANK)), "1" in flags))
        if "s" in flags:
            text = str(attrs.get("comment", BLANK))
            limit, keep = (COMMENT_WIDE, 110) if wide else (COMMENT_SHORT, 70)
            if len(text) > limit:
                text = text[:keep] + "..."
            out.append(f"   {text}\n")
    return "".join(out)


def queues_table(jobs: list[dict[str, Any]]) -> str:
    counts = queue_counts(jobs)
    lines = [
        "Queue              Max   Tot Ena Str   Que   Run   Hld   Wat   Trn   Ext Type\n",
        "---------------- ----- ----- --- --- ----- ----- ----- ----- ----- ----- ----\n",
    ]
    for name, kind, *_ in QUEUES:
        c = counts[name]
        lines.append(
            f"{name:<16} {0:>5} {sum(c.values()):>5} {'yes':>3} {'yes':>3} {c.get('Queued', 0):>5} "
            f"{c.get('Running', 0):>5} {c.get('Held', 0):>5} {c.get('Waiting', 0):>5} "
            f"{c.get('Transit', 0):>5} {c.get('Exiting', 0):>5} {kind[:3] + '*':<4}\n"
        )
    return "".join(lines)


def queues_alt(jobs: list[dict[str, Any]]) -> str:
    """`qstat -q`: per queue memory, cput, walltime, nodes, running, queued (Q+H+W), max, state."""
    counts = queue_counts(jobs)
    lines = [
        f"\nserver: {SERVER}\n\n",
        "Queue            Memory CPU Time Walltime Node   Run   Que   Lm  State\n",
        "---------------- ------ -------- -------- ---- ----- ----- ----  -----\n",
    ]
    total_run = total_queued = 0
    for name, _kind, _nmin, nmax, _wmin, wmax, _per_user in QUEUES:
        c = counts[name]
        running = c.get("Running", 0)
        queued = c.get("Queued", 0) + c.get("Held", 0) + c.get("Waiting", 0)
        total_run, total_queued = total_run + running, total_queued + queued
        lines.append(
            f"{name:<16.16} {'--  ':>6.6} {'  --   ':>8.8} {hms(wmax):>8.8} {nmax!s:>4.4} "
            f"{running:5d} {queued:5d} {'  --   ':>4.4}   E R\n"
        )
    lines.append("                                               ----- -----\n")
    lines.append(f"                                               {total_run:5d} {total_queued:5d}\n")
    return "".join(lines)
