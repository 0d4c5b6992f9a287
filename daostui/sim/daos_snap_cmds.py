"""Simulated `daos container create-snap|list-snap|destroy-snap`.

Source: daos-stack/daos release/2.6.4-aurora src/control/cmd/daos/snapshot.go and flags.go. A
snapshot's epoch is an HLC from the server's clock; `create-snap` prints `snapshot/epoch 0x%x has
been created` (JSON `{epoch, timestamp, name}`), `list-snap` prints `Container's snapshots :` then
`0x%x %s` per snapshot or `no snapshots`, `destroy-snap` prints nothing.
"""

from __future__ import annotations

from typing import Any

from daostui.sim import daos_state as ds
from daostui.sim import hlc, store
from daostui.sim.daos_base import DaosBase, Failure


def snapshot_json(snap: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"epoch": snap["epoch"], "timestamp": hlc.iso_string(snap["epoch"])}
    if snap.get("name"):
        entry["name"] = snap["name"]
    return entry


def _uint64(text: str) -> int | None:
    """strconv.ParseUint(s, 0, 64): decimal, 0x hex, 0o/0 octal, 0b binary."""
    try:
        value = int(text, 0)
    except ValueError:
        return None
    return value if 0 <= value < 2**64 else None


def parse_epoch(text: str) -> int:
    """EpochFlag.UnmarshalFlag (its message ends with a newline in DAOS's source too)."""
    value = _uint64(text)
    if value is None:
        raise Failure(
            "invalid argument for flag `-e, --epc' (expected main.EpochFlag): "
            f'failed to parse "{text}" as uint64\n'
        )
    return value


def parse_epoch_range(text: str) -> tuple[int, int]:
    """EpochRangeFlag.UnmarshalFlag: `A-B` with A < B."""
    prefix = "invalid argument for flag `-r, --epcrange' (expected main.EpochRangeFlag): "
    parts = text.split("-")
    if len(parts) != 2:
        raise Failure(f'{prefix}failed to parse "{text}" as epoch range (expected A-B)')
    bounds = []
    for part in parts:
        value = _uint64(part)
        if value is None:
            raise Failure(f'{prefix}failed to parse "{part}" as uint64')
        bounds.append(value)
    if bounds[0] >= bounds[1]:
        raise Failure(f"{prefix}range begin must be < end")
    return bounds[0], bounds[1]


class SnapshotCommands(DaosBase):
    def _snap_target(self, data: dict[str, Any], args: list[str]) -> dict[str, Any]:
        if len(args) < 2:
            raise Failure("no container label or UUID supplied" if args else "no pool UUID or label supplied")
        pool = self.pool_for(data, args[0], container_cmd=True)
        return self.cont_for(data, pool, args[1])

    def cont_create_snap(self, args: list[str], opts: dict[str, str]) -> int:
        with store.locked(self.dir, "daos") as data:
            cont = self._snap_target(data, args)
            snap = {"epoch": hlc.next_hlc(data), "name": opts.get("snap", "")}
            cont.setdefault("snapshots", []).append(snap)
            ds.touch(data, cont, modified=True)
        return self.emit(snapshot_json(snap), f"snapshot/epoch {snap['epoch']:#x} has been created\n")

    def cont_list_snap(self, args: list[str]) -> int:
        _data, _pool, cont = self.pool_cont(args)
        snaps = sorted(cont.get("snapshots", []), key=lambda s: s["epoch"])
        text = "Container's snapshots :\n" + (
            "".join(f"{s['epoch']:#x} {s.get('name', '')}\n" for s in snaps) if snaps else "no snapshots\n"
        )
        return self.emit([snapshot_json(s) for s in snaps], text)

    def cont_destroy_snap(self, args: list[str], opts: dict[str, str]) -> int:
        name, epoch, span = opts.get("snap", ""), opts.get("epc"), opts.get("epcrange")
        epochs = parse_epoch(epoch) if epoch is not None else None  # flags are parsed before Execute
        bounds = parse_epoch_range(span) if span is not None else None
        chosen = [kind for kind, given in (("name", name), ("epoch", epoch), ("epoch range", span)) if given]
        if len(chosen) > 1:
            raise Failure(f"cannot specify both snapshot {chosen[0]} and {chosen[1]}")
        if not chosen:
            raise Failure("must specify one of snapshot name or epoch or epoch range")
        with store.locked(self.dir, "daos") as data:
            cont = self._snap_target(data, args)
            snaps = cont.setdefault("snapshots", [])
            if name:
                found = [s["epoch"] for s in snaps if s.get("name") == name]
                if not found:
                    raise Failure(f'snapshot "{name}" not found')
                low = high = found[0]
            elif epochs is not None:
                low = high = epochs
            elif bounds is not None:
                low, high = bounds
            cont["snapshots"] = [s for s in snaps if not low <= s["epoch"] <= high]
            if len(cont["snapshots"]) != len(snaps):
                ds.touch(data, cont, modified=True)
        return self.emit(None, "")
