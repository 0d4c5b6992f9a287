"""Parsers for container output: list, create/query, snapshots and properties (JSON and text).

HLC times (see `daostui.daos.hlc`) come as raw uint64 in 2.6 JSON and as Go time strings in 2.8
JSON (`lib/daos/container.go` `ContainerInfo.MarshalJSON`, omitted when zero); the text prints
`%#x (%s)` (2.6, `cmd/daos/container.go` printContainerInfo) or `%s (%#x)` (2.8,
`cmd/daos/pretty/container.go`). Every form is read back into the HLC number.
"""

from __future__ import annotations

import re
from typing import Any

from daostui.core.errors import ParseError
from daostui.daos.hlc import go_time_to_hlc
from daostui.daos.models import (
    ContainerInfo,
    ContainerProperties,
    ContainerProperty,
    ContainerRef,
    ContainerSnapshot,
)
from daostui.daos.parse_common import as_dict, as_int, as_list, as_str, entity, parse_size, table

_HEX = re.compile(r"\b0x([0-9a-fA-F]+)\b")


def hlc_value(value: Any, what: str) -> int:
    """An HLC from JSON: the number (2.6) or the Go time string 2.8 prints instead."""
    if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
        hlc = go_time_to_hlc(value)
        if hlc is None:
            raise ParseError(f"{what}: {value[:60]!r} is neither an HLC nor a time", source="daos")
        return hlc
    return as_int(value if value is not None else 0, what)


def containers_from_json(response: Any) -> list[ContainerRef]:
    refs = []
    for item in as_list(response, "container list"):
        item = as_dict(item, "container")
        refs.append(
            ContainerRef(uuid=as_str(item.get("uuid"), "uuid"), label=as_str(item.get("label"), "label"))
        )
    return refs


def container_info_from_json(response: Any) -> ContainerInfo:
    r = as_dict(response, "container")
    return ContainerInfo(
        uuid=as_str(r.get("container_uuid"), "container_uuid"),
        label=as_str(r.get("container_label"), "label"),
        type=as_str(r.get("container_type"), "container_type"),
        pool_uuid=as_str(r.get("pool_uuid"), "pool_uuid"),
        redundancy_factor=as_int(r.get("redundancy_factor", 0), "redundancy_factor"),
        num_handles=as_int(r.get("num_handles", 0), "num_handles"),
        num_snapshots=as_int(r.get("num_snapshots", 0), "num_snapshots"),
        open_time=hlc_value(r.get("open_time"), "open_time"),
        close_modify_time=hlc_value(r.get("close_modify_time"), "close_modify_time"),
        object_class=as_str(r.get("object_class"), "object_class"),
        dir_object_class=as_str(r.get("dir_object_class"), "dir_object_class"),
        file_object_class=as_str(r.get("file_object_class"), "file_object_class"),
        chunk_size=as_int(r.get("chunk_size", 0), "chunk_size"),
        latest_snapshot=hlc_value(r.get("latest_snapshot"), "latest_snapshot"),
        hints=as_str(r.get("hints"), "hints"),
        health=as_str(r.get("health"), "health"),
    )


def containers_from_text(text: str) -> list[ContainerRef]:
    if "No containers." in text:
        return []
    return [ContainerRef(uuid=row.get("UUID", ""), label=row.get("Label", "")) for row in table(text, "UUID")]


def _hlc_cell(value: str) -> int:
    """`0x1b40... (2024-11-21 ...)` (2.6), `2024-11-21 ... (0x1b40...)` (2.8) or a bare number."""
    match = _HEX.search(value)
    if match:
        return int(match.group(1), 16)
    first = value.split(" ", 1)[0]
    return int(first) if first.isdecimal() else 0


def container_info_from_text(text: str) -> ContainerInfo:
    """`cont query` / `cont create` text (entity block; the create success line in either order)."""
    fields = entity(text)
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
        open_time=_hlc_cell(fields.get("Latest open time", "")),
        close_modify_time=_hlc_cell(fields.get("Latest close/modify time", "")),
        object_class=fields.get("Object Class", ""),
        dir_object_class=fields.get("Dir Object Class", ""),
        file_object_class=fields.get("File Object Class", ""),
        chunk_size=parse_size(chunk) if chunk else 0,
        latest_snapshot=_hlc_cell(fields.get("Latest Persistent Snapshot", "")),
        hints=fields.get("Hints", ""),
    )


# ---------------------------------------------------------------------- snapshots
def snapshots_from_json(response: Any) -> list[ContainerSnapshot]:
    """`daos -j container list-snap`: `[{"epoch": N, "timestamp": "...", "name": "..."}]` (cmd/daos/snapshot.go)."""
    snaps = []
    for item in as_list(response, "snapshots"):
        item = as_dict(item, "snapshot")
        snaps.append(
            ContainerSnapshot(
                epoch=hlc_value(item.get("epoch"), "epoch"), name=as_str(item.get("name"), "name")
            )
        )
    return snaps


_SNAP_LINE = re.compile(r"^0x([0-9a-fA-F]+) ?(.*?)$")


def snapshots_from_text(text: str) -> list[ContainerSnapshot]:
    """`Container's snapshots :` then `no snapshots` or one `0x<epoch> <name>` line each."""
    lines = text.splitlines()
    if not any(line.startswith("Container's snapshots") for line in lines):
        raise ParseError('no "Container\'s snapshots :" line', excerpt=text, source="daos list-snap")
    snaps = []
    for line in lines:
        if match := _SNAP_LINE.match(line.strip()):
            snaps.append(ContainerSnapshot(int(match.group(1), 16), match.group(2)))
    return snaps


# ---------------------------------------------------------------------- properties
def properties_from_json(response: Any) -> ContainerProperties:
    items = []
    for item in as_list(response, "properties"):
        item = as_dict(item, "property")
        value = item.get("value")
        if isinstance(value, list):
            value = [as_str(v, "acl entry") for v in value]
        elif isinstance(value, bool) or not isinstance(value, (int, str)):
            value = as_str(value, "property value") if value is not None else ""
        items.append(
            ContainerProperty(
                name=as_str(item.get("name"), "name"),
                value=value,
                description=as_str(item.get("description"), "description"),
            )
        )
    return ContainerProperties(items)


_PROP_NAME = re.compile(r"^(.*) \((\w+)\)$")


def properties_from_text(text: str) -> ContainerProperties:
    items = []
    for row in table(text, "Name"):
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
