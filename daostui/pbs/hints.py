"""What to do next after a PBS error (pbs.md §2.4, §3.6, §4 and ALCF's known issues).

The patterns are compiled on the first error, not at import: every start imports this module and
compiling twenty patterns was ~2 ms of it.
"""

from __future__ import annotations

import functools
import re

#: (pattern, hint) for qsub's errors, matched ignoring case.
QSUB_HINTS: tuple[tuple[str, str], ...] = (
    (r"Account_Name is required", "Add your project: -A <project> (or set `project` in the config)."),
    (
        r"filesystems is required",
        "Say which file systems the job needs: -l filesystems=home:flare:daos_user (DAOS needs daos_user).",
    ),
    (
        r"Invalid filesystem identifiers",
        "Use names from `qstat -Bf` (resources_available.valid_filesystems), e.g. home:flare:daos_user.",
    ),
    (
        r"No active allocation found",
        "The project has no active allocation on Aurora: check the project name (`sbank`) or ask your PI.",
    ),
    (
        r"per-user limit|of jobs in 'Q' state",
        "You already have the maximum number of jobs in this queue (debug: 1): wait or qdel one.",
    ),
    (r"Maximum number of jobs already in queue", "The queue is full: wait, or pick another queue."),
    (
        r"violates queue and/or server resource limits",
        "Nodes or walltime are outside the queue's limits (debug 1–2 nodes ≤1 h, debug-scaling 2–256 ≤1 h, "
        "capacity 1–16 ≤168 h, prod 256+).",
    ),
    (
        r"rejected by all possible destinations",
        "prod routes only 256–10,624 nodes up to 24 h: use debug, debug-scaling or capacity for smaller jobs.",
    ),
    (r"Unknown queue", "Check the queue name with `qstat -Q`."),
    (
        r"Unauthorized Request|Access to queue is denied",
        "You may not submit to this queue (some are by request only): pick another queue.",
    ),
    (r"Queue is not enabled", "The queue is disabled right now: pick another queue or retry later."),
    (
        r"cannot connect to server",
        "The PBS server is not reachable: are you on an Aurora login node? Retry.",
    ),
    (r"script file:: No such file|script not a file", "The job script was not found: check the path."),
    (r"directive error", "A #PBS line is malformed: no trailing comments on directive lines."),
    (
        r"filter hook",
        "An ALCF submission hook failed: retry; if it persists contact support@alcf.anl.gov.",
    ),
    (r"must be a terminal", "Interactive jobs (-I) need a terminal: daostui hands it over for you."),
)
#: (pattern, hint) for the errors of qdel, qhold, qrls, qalter and the like.
JOB_HINTS: tuple[tuple[str, str], ...] = (
    (r"Unknown Job Id", "PBS no longer knows this job: it finished long ago or was lost after routing."),
    (r"Job has finished", "The job already finished; its record stays in `qstat -x` history."),
    (
        r"Request invalid for state of job",
        "Not possible in the job's current state (e.g. qhold on a running job).",
    ),
    (r"Unauthorized Request", "Only the job's owner (or an operator) can do this."),
    (r"Delete already in progress", "qdel is already deleting it; if it lingers: qdel -W force <id>."),
)
MISSING_PROGRAM = "PBS commands not found: run daostui on an Aurora login node (or use --ssh or --demo)."


@functools.cache
def _compiled(table: tuple[tuple[str, str], ...], flags: int) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern, flags), hint) for pattern, hint in table)


def _first(table: tuple[tuple[str, str], ...], text: str, flags: int = 0) -> str:
    return next((hint for pattern, hint in _compiled(table, flags) if pattern.search(text or "")), "")


def hint_for_qsub_error(stderr: str) -> str:
    return _first(QSUB_HINTS, stderr, re.IGNORECASE)


def hint_for_job_error(stderr: str) -> str:
    return _first(JOB_HINTS, stderr)
