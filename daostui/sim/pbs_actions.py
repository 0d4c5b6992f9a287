"""What qdel, qhold and qrls do to the simulated server, and what they answer (real 23.06.06 texts).

Observed on a real server (tests/test_realpbs*.py): `qdel` of a queued job finishes it at once (no
Exit_status; its comment gains ` and terminated`), of a running one kills it (`Exit_status 271` =
256 + SIGTERM, ` and terminated`; mom signals the script before the job shell, so on a busy node the
shell may see its child die and exit 143 first: the simulator gives a quiet node's 271); `qdel
1234[7]` does the same to one subjob (a queued subjob becomes `X`, "Subjob finished", Exit_status
1), `qdel 1234[]` to the whole array. `qhold` works on queued and running jobs (a running job keeps
running, held should it be requeued); `qrls` of a job that is not held is silent. Messages: qdel
names an unknown id as typed, qhold and qrls in full; a finished job is refused with exit 35
(PBSE_HISTJOBID).
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from daostui.sim import pbs_format, pbs_state

EXIT_UNKNOWN = 153  # PBSE_UNKJOBID 15001 & 0xFF
EXIT_INVALID = 156  # PBSE_IVALREQ 15004 & 0xFF
EXIT_PERM = 159  # PBSE_PERM 15007 & 0xFF
EXIT_HISTORY = 35  # PBSE_HISTJOBID 15139 & 0xFF

ACTIVE = ("Q", "H", "R", "E", "B")


def kill_group(pgid: Any, sig: int = signal.SIGTERM) -> None:
    if isinstance(pgid, int):
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def _finish_queued(record: dict[str, Any], now: float) -> None:
    """A job deleted before it ran: history at once, no Exit_status, ` and terminated` if commented."""
    record.update(state="F", end=now, history=now, deleted=True, estimated=None, finish="terminated")


def _delete_subjob(parent: dict[str, Any], index: int, now: float) -> None:
    sub = parent.setdefault("subjobs", {}).setdefault(str(index), {"state": "Q"})
    if sub.get("state") in ("R", "E"):
        sub.update(deleted=True, state="E")
        kill_group(sub.get("pgid"))
    elif sub.get("state", "Q") == "Q":
        sub.update(state="X", end=now, exit_status=1, comment="Subjob finished", deleted=True)


def _delete(job: dict[str, Any], now: float) -> None:
    if job.get("array"):
        for index in pbs_state.array_indices(job["array"]):
            _delete_subjob(job, index, now)
        job["deleted"] = True
        if job["state"] in ("Q", "H"):
            _finish_queued(job, now)
        return
    job["deleted"] = True
    if job["state"] in ("Q", "H"):
        _finish_queued(job, now)
    else:
        job["state"] = "E"
        kill_group(job.get("pgid"))


def act(program: str, data: dict[str, Any], wanted: str, now: float) -> tuple[str, int]:
    """Apply `program` (qdel, qhold, qrls) to one operand; the error line and exit status, if any."""
    mine = [job for job in data["jobs"].values() if not job.get("lost")]
    view = pbs_state.find(mine, wanted)
    full = pbs_state.full_id(wanted)
    if view is None:
        other = pbs_state.find(pbs_state.all_jobs(data, now, with_bulk=False), wanted)
        if other is not None and other["owner"] != data.get("user"):
            return f"{program}: Unauthorized Request  {pbs_format.record_id(other)}", EXIT_PERM
        shown = wanted if program == "qdel" else full
        return f"{program}: Unknown Job Id {shown}", EXIT_UNKNOWN
    job = data["jobs"][str(view.get("array_parent", view["seq"]))]
    if "index" in view:
        if program != "qdel":
            return f"{program}: Invalid request {pbs_format.record_id(view)}", EXIT_INVALID
        if view["state"] not in ACTIVE:
            return f"qdel: Job has finished {pbs_format.record_id(view)}", EXIT_HISTORY
        _delete_subjob(job, view["index"], now)
        return "", 0
    if job["state"] not in ACTIVE:
        if program == "qdel":
            return f"qdel: Job has finished {pbs_format.record_id(view)}", EXIT_HISTORY
        return f"{program}: Job has finished", EXIT_HISTORY
    if program == "qdel":
        _delete(job, now)
    elif program == "qhold":
        if job["state"] == "Q":
            job["state"] = "H"
            job.pop("estimated", None)
        job.update(hold="u", comment=f"Job held by {job['owner']} on {time.ctime(now)}")
    elif program == "qrls":
        job["hold"] = "n"
        if job["state"] == "H":
            job.update(state="Q", comment="", start_after=max(job.get("start_after", 0), now + 0.2))
            job["estimated"] = job["start_after"]
    return "", 0
