"""Pure parsers for `daos` output: the `--json` envelope first, the text layouts as fallback.

Every function takes the tool's stdout and returns models, raising only `ParseError` on output it
does not understand. This module is the one the client imports: pool parsers live in
`parse_pool`, container ones in `parse_cont`, shared helpers in `parse_common`; the rest (autotest,
checks, copies, version) are here.
"""

from __future__ import annotations

import re
from typing import Any

from daostui.core.errors import ParseError
from daostui.daos.models import (
    AutotestResult,
    AutotestStep,
    ContainerCheckResult,
    DaosVersion,
    FsCheckResult,
    FsCopyResult,
)
from daostui.daos.parse_common import (
    as_dict,
    as_int,
    parse_der,
    parse_envelope,
    parse_size,
)
from daostui.daos.parse_cont import (
    container_info_from_json,
    container_info_from_text,
    containers_from_json,
    containers_from_text,
    properties_from_json,
    properties_from_text,
    snapshots_from_json,
    snapshots_from_text,
)
from daostui.daos.parse_pool import pool_from_json, pool_from_text, pools_from_json, pools_from_text

__all__ = [
    "autotest_from_text",
    "container_check_from_text",
    "container_info_from_json",
    "container_info_from_text",
    "containers_from_json",
    "containers_from_text",
    "fs_check_from_text",
    "fs_copy_from_json",
    "fs_copy_from_text",
    "parse_der",
    "parse_envelope",
    "parse_size",
    "pool_from_json",
    "pool_from_text",
    "pools_from_json",
    "pools_from_text",
    "properties_from_json",
    "properties_from_text",
    "snapshots_from_json",
    "snapshots_from_text",
    "version_from_text",
]


def fs_copy_from_json(response: Any, destination: str = "") -> FsCopyResult:
    r = as_dict(response, "copy")
    stats = as_dict(r.get("copy_stats", {}), "copy_stats")
    kind = "DAOS" if r.get("dst_cont") else "POSIX"
    return FsCopyResult(
        kind,
        destination,
        as_int(stats.get("num_dirs", 0), "num_dirs"),
        as_int(stats.get("num_files", 0), "num_files"),
        as_int(stats.get("num_links", 0), "num_links"),
    )


_STEP = re.compile(r"^\s*(\d+)\s+(.+?)\s{2,}(PASS|FAIL|SKIP|WARN)\s+([0-9]+(?:\.[0-9]+)?)?\s*(.*?)\s*$")


def autotest_from_text(text: str) -> AutotestResult:
    steps = []
    for line in text.splitlines():
        if match := _STEP.match(line):
            step, operation, status, seconds, comment = match.groups()
            steps.append(
                AutotestStep(
                    int(step), operation.strip(), status, float(seconds) if seconds else None, comment
                )
            )
    if not steps:
        raise ParseError("no autotest steps found", excerpt=text, source="daos pool autotest")
    passed = "All steps passed." in text and all(s.status != "FAIL" for s in steps)
    failed = [s for s in steps if s.status == "FAIL"]
    summary = (
        "All steps passed."
        if passed
        else (
            f"{len(failed)} step(s) failed: " + ", ".join(s.operation for s in failed)
            if failed
            else "autotest did not report success"
        )
    )
    return AutotestResult(steps, passed, summary)


def container_check_from_text(text: str) -> ContainerCheckResult:
    values = {}
    for key in ("checked", "skipped", "inconsistent", "run_time"):
        match = re.search(rf"^{key}: (.+?)\s*$", text, re.MULTILINE)
        values[key] = match.group(1) if match else None
    if values["checked"] is None or not values["checked"].isdecimal():
        raise ParseError("no 'checked: N' line", excerpt=text, source="daos container check")

    def count(key: str) -> int:
        value = values[key] or "0"
        return int(value) if value.isdecimal() else 0

    return ContainerCheckResult(
        count("checked"), count("skipped"), count("inconsistent"), values["run_time"] or ""
    )


def fs_check_from_text(text: str) -> FsCheckResult:
    match = re.search(r"Number of leaked OIDs in namespace = (\d+)", text)
    if match is None and "DFS checker" not in text:
        raise ParseError("not DFS checker output", excerpt=text, source="daos fs check")
    return FsCheckResult(int(match.group(1)) if match else None, text)


def fs_copy_from_text(text: str) -> FsCopyResult:
    match = re.search(r"Successfully copied to (DAOS|POSIX): (\S+)", text)
    if match is None:
        raise ParseError("no 'Successfully copied to' line", excerpt=text, source="daos filesystem copy")

    def count(name: str) -> int:
        found = re.search(rf"{name}:\s+(\d+)", text)
        return int(found.group(1)) if found else 0

    return FsCopyResult(match.group(1), match.group(2), count("Directories"), count("Files"), count("Links"))


def version_from_text(text: str) -> DaosVersion:
    match = re.search(
        r"version (\S+?)(?:, libdaos v?(\S+))?\s*$", text.strip().splitlines()[0] if text.strip() else ""
    )
    if match is None:
        raise ParseError("no 'DAOS CLI version X' line", excerpt=text, source="daos version")
    return DaosVersion(match.group(1).rstrip(","), match.group(2) or "")
