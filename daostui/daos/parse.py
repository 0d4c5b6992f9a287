"""Pure parsers for `daos` output: the `--json` envelope first, the text layouts as fallback.

Every function takes the tool's stdout and returns models, raising only `ParseError` on output it
does not understand. Text tables are cut by the column offsets of their dash line (tabwriter pads
with single spaces and cells such as `96 TB` contain spaces, so splitting on blanks is unsafe).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from daostui.core.errors import ParseError
from daostui.daos.models import (
    AutotestResult,
    AutotestStep,
    ContainerCheckResult,
    ContainerInfo,
    ContainerProperties,
    ContainerProperty,
    ContainerRef,
    DaosVersion,
    FsCheckResult,
    FsCopyResult,
    Pool,
    PoolRebuild,
    PoolTier,
)

# ---------------------------------------------------------------------- helpers
_UNITS = {
    "": 1,
    "B": 1,
    "KB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
    "TB": 1000**4,
    "PB": 1000**5,
    "EB": 1000**6,
    "KIB": 1024,
    "MIB": 1024**2,
    "GIB": 1024**3,
    "TIB": 1024**4,
    "PIB": 1024**5,
}
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*$")
_INTEGER = re.compile(r"^\s*-?[0-9]+\s*$")
DER = re.compile(r"(DER_[A-Z_]+)\((-?\d+)\)")


def parse_size(text: str) -> int:
    """`3.0 TB` → 3_000_000_000_000; `1.0 MiB` → 1_048_576 (humanize's SI and IEC units)."""
    match = _SIZE.match(text or "")
    if not match or match.group(2).upper() not in _UNITS:
        raise ParseError(f"not a size: {text!r}", excerpt=text, source="daos")
    value = float(match.group(1)) * _UNITS[match.group(2).upper()]
    if not math.isfinite(value):
        raise ParseError(f"size out of range: {text!r}", excerpt=text, source="daos")
    return int(value)


def _int(value: Any, what: str) -> int:
    """DAOS numbers are 64-bit (sizes, HLC times); anything else is not daos output."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INTEGER.match(value) and len(value) < 40:
        number = int(value.strip())
    if number is None or not -(2**63) <= number < 2**64:
        shown = repr(value[:40]) if isinstance(value, str) else type(value).__name__  # str(10**5000) fails
        raise ParseError(f"{what}: expected a 64-bit number, got {shown}", source="daos")
    return number


def _str(value: Any, what: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise ParseError(f"{what}: expected text, got {type(value).__name__}", source="daos")


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ParseError(f"{what}: expected an object, got {type(value).__name__}", source="daos")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError(f"{what}: expected a list, got {type(value).__name__}", source="daos")
    return value


def parse_der(text: str) -> tuple[str, int | None]:
    """(`DER_NONEXIST`, -1005) from any error text, or ("", None)."""
    match = DER.search(text or "")
    return (match.group(1), int(match.group(2))) if match else ("", None)


def parse_envelope(stdout: str) -> tuple[Any, str | None, int]:
    """(response, error, status) of `daos -j` output: `{"response", "error", "status"}`."""
    try:
        data = json.loads(stdout)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"daos did not print JSON: {exc}", excerpt=stdout, source="daos -j") from None
    if not isinstance(data, dict) or "response" not in data or "status" not in data:
        raise ParseError(
            "daos JSON lacks the response/error/status envelope", excerpt=stdout, source="daos -j"
        )
    error = data.get("error")
    if error is not None and not isinstance(error, str):
        raise ParseError("daos JSON 'error' is not text", excerpt=stdout, source="daos -j")
    return data["response"], error, _int(data["status"], "status")


# ---------------------------------------------------------------------- JSON
def pool_from_json(info: Any, label: str = "") -> Pool:
    info = _dict(info, "pool")
    rebuild = None
    if isinstance(info.get("rebuild"), dict):
        r = info["rebuild"]
        status = _int(r.get("status", 0), "rebuild.status")
        rebuild = PoolRebuild(
            state="failed" if status else _str(r.get("state", "unknown"), "rebuild.state"),
            status=status,
            objects=_int(r.get("objects", 0), "rebuild.objects"),
            records=_int(r.get("records", 0), "rebuild.records"),
        )
    tiers = []
    for index, tier in enumerate(_list(info.get("tier_stats"), "tier_stats")):
        tier = _dict(tier, "tier")
        tiers.append(
            PoolTier(
                media_type=_str(tier.get("media_type", "scm" if index == 0 else "nvme"), "media_type"),
                total=_int(tier.get("total", 0), "total"),
                free=_int(tier.get("free", 0), "free"),
                min=_int(tier.get("min", 0), "min"),
                max=_int(tier.get("max", 0), "max"),
                mean=_int(tier.get("mean", 0), "mean"),
            )
        )
    imbalance = None
    usage = _list(info.get("usage"), "usage")
    if usage:
        imbalance = max(_int(_dict(u, "usage").get("imbalance", 0), "imbalance") for u in usage)
    return Pool(
        label=_str(info.get("label") or label, "label"),
        uuid=_str(info.get("uuid"), "uuid"),
        state=_str(info.get("state", "Unknown"), "state"),
        total_targets=_int(info.get("total_targets", 0), "total_targets"),
        active_targets=_int(info.get("active_targets", 0), "active_targets"),
        disabled_targets=_int(info.get("disabled_targets", 0), "disabled_targets"),
        version=_int(info.get("version", 0), "version"),
        leader=_int(info.get("svc_ldr", 0), "svc_ldr"),
        tiers=tiers,
        rebuild=rebuild,
        imbalance_pct=imbalance,
    )


def pools_from_json(response: Any) -> list[Pool]:
    if response is None:
        return []
    return [pool_from_json(p) for p in _list(_dict(response, "pool list").get("pools"), "pools")]


def containers_from_json(response: Any) -> list[ContainerRef]:
    refs = []
    for item in _list(response, "container list"):
        item = _dict(item, "container")
        refs.append(ContainerRef(uuid=_str(item.get("uuid"), "uuid"), label=_str(item.get("label"), "label")))
    return refs


def container_info_from_json(response: Any) -> ContainerInfo:
    r = _dict(response, "container")
    return ContainerInfo(
        uuid=_str(r.get("container_uuid"), "container_uuid"),
        label=_str(r.get("container_label"), "label"),
        type=_str(r.get("container_type"), "container_type"),
        pool_uuid=_str(r.get("pool_uuid"), "pool_uuid"),
        redundancy_factor=_int(r.get("redundancy_factor", 0), "redundancy_factor"),
        num_handles=_int(r.get("num_handles", 0), "num_handles"),
        num_snapshots=_int(r.get("num_snapshots", 0), "num_snapshots"),
        open_time=_int(r.get("open_time", 0), "open_time"),
        close_modify_time=_int(r.get("close_modify_time", 0), "close_modify_time"),
        object_class=_str(r.get("object_class"), "object_class"),
        dir_object_class=_str(r.get("dir_object_class"), "dir_object_class"),
        file_object_class=_str(r.get("file_object_class"), "file_object_class"),
        chunk_size=_int(r.get("chunk_size", 0), "chunk_size"),
        latest_snapshot=_int(r.get("latest_snapshot", 0), "latest_snapshot"),
    )


def properties_from_json(response: Any) -> ContainerProperties:
    items = []
    for item in _list(response, "properties"):
        item = _dict(item, "property")
        value = item.get("value")
        if isinstance(value, list):
            value = [_str(v, "acl entry") for v in value]
        elif isinstance(value, bool) or not isinstance(value, (int, str)):
            value = _str(value, "property value") if value is not None else ""
        items.append(
            ContainerProperty(
                name=_str(item.get("name"), "name"),
                value=value,
                description=_str(item.get("description"), "description"),
            )
        )
    return ContainerProperties(items)


def fs_copy_from_json(response: Any, destination: str = "") -> FsCopyResult:
    r = _dict(response, "copy")
    stats = _dict(r.get("copy_stats", {}), "copy_stats")
    kind = "DAOS" if r.get("dst_cont") else "POSIX"
    return FsCopyResult(
        kind,
        destination,
        _int(stats.get("num_dirs", 0), "num_dirs"),
        _int(stats.get("num_files", 0), "num_files"),
        _int(stats.get("num_links", 0), "num_links"),
    )


# ---------------------------------------------------------------------- text
def _table(text: str, expected_first: str) -> list[dict[str, str]]:
    """Rows of a tabwriter table whose header starts with `expected_first`, cut by the dash line."""
    lines = [line.rstrip("\n") for line in text.splitlines()]
    for index, line in enumerate(lines[:-1]):
        if line.split()[:1] == [expected_first] and set(lines[index + 1].replace(" ", "")) == {"-"}:
            dashes = lines[index + 1]
            starts = [m.start() for m in re.finditer(r"-+", dashes)]
            names = [line[s:e].strip() for s, e in zip(starts, [*starts[1:], None], strict=True)]
            rows = []
            for row in lines[index + 2 :]:
                if not row.strip():
                    break
                cells = [
                    row[s:e].strip() if s < len(row) else ""
                    for s, e in zip(starts, [*starts[1:], None], strict=True)
                ]
                rows.append(dict(zip(names, cells, strict=True)))
            return rows
    raise ParseError(f"no table with a {expected_first!r} column", excerpt=text, source="daos")


def pools_from_text(text: str) -> list[Pool]:
    if "No pools in system" in text:
        return []
    pools = []
    for row in _table(text, "Pool"):
        disabled, _, total = row.get("Disabled", "0/0").partition("/")
        used = row.get("Used", "").rstrip("%")
        imbalance = row.get("Imbalance", "").rstrip("%")
        pools.append(
            Pool(
                label=row.get("Pool", ""),
                state=row.get("State", "Unknown"),
                disabled_targets=int(disabled) if disabled.isdecimal() else 0,
                total_targets=int(total) if total.isdecimal() else 0,
                used_pct_reported=int(used) if used.isdecimal() else None,
                imbalance_pct=int(imbalance) if imbalance.isdecimal() else None,
                size_reported=parse_size(row["Size"]) if row.get("Size") else None,
            )
        )
    return pools


_POOL_HEAD = re.compile(
    r"^Pool ([0-9a-fA-F-]{36}), ntarget=(\d+), disabled=(\d+), leader=(\d+), version=(\d+)"
    r"(?:, state=(\w+))?"
)
_REBUILD = re.compile(r"Rebuild (idle|busy|done|unknown), (\d+) objs, (\d+) recs")
_REBUILD_FAILED = re.compile(r"Rebuild failed, status=(-?\d+)")
_TIER = re.compile(r"^- Storage tier (\d+) \((\w+)\):")
_TOTAL = re.compile(r"^\s*Total size: (.+?)\s*$")
_FREE = re.compile(r"^\s*Free: (.+?), min:(.+?), max:(.+?), mean:(.+?)\s*$")


def pool_from_text(text: str, label: str = "") -> Pool:
    """`daos pool query` text, both the 2.6 layout and the older one (no state, unindented sizes)."""
    head = None
    for line in text.splitlines():
        head = _POOL_HEAD.match(line.strip())
        if head:
            break
    if head is None:
        raise ParseError("no 'Pool <uuid>, ntarget=...' line", excerpt=text, source="daos pool query")
    disabled = int(head.group(3))
    pool = Pool(
        label=label,
        uuid=head.group(1),
        total_targets=int(head.group(2)),
        disabled_targets=disabled,
        leader=int(head.group(4)),
        version=int(head.group(5)),
        state=head.group(6) or ("Degraded" if disabled else "Ready"),
    )
    pool.active_targets = pool.total_targets - disabled
    tier: PoolTier | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if match := _REBUILD.search(line):
            pool.rebuild = PoolRebuild(match.group(1), 0, int(match.group(2)), int(match.group(3)))
        elif match := _REBUILD_FAILED.search(line):
            pool.rebuild = PoolRebuild("failed", int(match.group(1)))
        elif line.startswith("- Target(VOS) count:"):
            count = line.split(":", 1)[1].strip()
            if count.isdecimal():
                pool.active_targets = int(count)
        elif match := _TIER.match(line):
            tier = PoolTier(media_type=match.group(2).lower(), total=0, free=0)
            pool.tiers.append(tier)
        elif (match := _TOTAL.match(line)) and tier is not None:
            tier.total = parse_size(match.group(1))
        elif (match := _FREE.match(line)) and tier is not None:
            tier.free, tier.min, tier.max, tier.mean = (parse_size(g) for g in match.groups())
    return pool


def containers_from_text(text: str) -> list[ContainerRef]:
    if "No containers." in text:
        return []
    return [
        ContainerRef(uuid=row.get("UUID", ""), label=row.get("Label", "")) for row in _table(text, "UUID")
    ]


_ENTITY = re.compile(r"^\s{2}(.+?)\s*: (.*?)\s*$")


def _entity(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for line in text.splitlines() if (m := _ENTITY.match(line))}


def container_info_from_text(text: str) -> ContainerInfo:
    """`cont query` / `cont create` text (entity block; the create success line in either order)."""
    fields = _entity(text)
    created = re.search(r"^Successfully created container (\S+)", text, re.MULTILINE)
    uuid = fields.get("Container UUID") or (created.group(1) if created else "")
    if not uuid:
        raise ParseError("no 'Container UUID' in the output", excerpt=text, source="daos container")

    def number(key: str) -> int:
        value = fields.get(key, "0").split(" ", 1)[0]
        try:
            return int(value, 0)
        except ValueError:
            return 0

    chunk = fields.get("Chunk Size", "")
    return ContainerInfo(
        uuid=uuid,
        label=fields.get("Container Label", ""),
        type=fields.get("Container Type", ""),
        pool_uuid=fields.get("Pool UUID", ""),
        redundancy_factor=number("Container redundancy factor"),
        num_handles=number("Number of open handles"),
        num_snapshots=number("Number of snapshots"),
        open_time=number("Latest open time"),
        close_modify_time=number("Latest close/modify time"),
        object_class=fields.get("Object Class", ""),
        dir_object_class=fields.get("Dir Object Class", ""),
        file_object_class=fields.get("File Object Class", ""),
        chunk_size=parse_size(chunk) if chunk else 0,
    )


_PROP_NAME = re.compile(r"^(.*) \((\w+)\)$")
_NUMERIC_PROPS = {
    "alloc_oid",
    "ec_cell_sz",
    "layout_version",
    "max_snapshot",
    "cksum_size",
    "dedup_threshold",
}


def properties_from_text(text: str) -> ContainerProperties:
    items = []
    for row in _table(text, "Name"):
        match = _PROP_NAME.match(row.get("Name", ""))
        if not match:
            raise ParseError(
                f"property name {row.get('Name')!r} is not 'Description (key)'",
                excerpt=text,
                source="daos container get-prop",
            )
        description, name = match.groups()
        value: str | int | list[str] = row.get("Value", "")
        if name == "acl":
            value = [part.strip() for part in str(value).split(",") if part.strip()]
        items.append(ContainerProperty(name=name, value=value, description=description))
    return ContainerProperties(items)


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
