"""Simulated `daos container create|list|query|destroy|check`.

Layouts: daos-stack/daos release/2.6.4-aurora src/control/cmd/daos/container.go (printContainerInfo:
an entity block, HLC times as `%#x (%s)` with Go's time string) and lib/daos/container.go
(ContainerInfo JSON, HLCs as raw numbers).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from typing import Any

from daostui.sim import daos_state as ds
from daostui.sim import hlc, store
from daostui.sim.daos_base import BUSY, EXIST, NO_POOL, NONEXIST, DaosBase, Failure
from daostui.sim.daos_prop_cmds import WRITABLE, PropertyCommands, valid_label
from daostui.sim.humanize import iec_bytes, parse_bytes, table

OCLASS = re.compile(r"^(S\d+|SX|RP_\d+G(\d+|X)|EC_\d+P\d+G(\d+|X))$")


def entity(rows: list[tuple[str, str]]) -> str:
    """txtfmt.FormatEntity: keys padded by tabwriter to GetEntityPadding's width, values to the widest."""
    padding = 0
    for key, _ in rows:
        if len(key) > padding:
            padding = len(key) + 1  # GetEntityPadding's own rule (compares with the +1 it added)
    key_width = max(padding, *(len(k) for k, _ in rows))
    value_width = max(padding, *(len(": " + v) for _, v in rows))
    return "".join(f"  {k:<{key_width}}{': ' + v:<{value_width}}\n" for k, v in rows) + "\n"


def hlc_cell(value: int) -> str:
    return f"{value:#x} ({hlc.go_string(value)})"


class ContainerCommands(PropertyCommands, DaosBase):
    def cont_info(self, pool: dict[str, Any], cont: dict[str, Any]) -> dict[str, Any]:
        rf = int(str(cont["props"].get("rd_fac", "rd_fac0")).removeprefix("rd_fac") or 0)
        otime, mtime = ds.cont_times(cont)
        info: dict[str, Any] = {
            "pool_uuid": pool["uuid"],
            "container_uuid": cont["uuid"],
            "container_label": cont["label"],
            "latest_snapshot": ds.latest_snapshot(cont),
            "redundancy_factor": rf,
            "num_handles": self.handles(cont) + 1,
            "num_snapshots": len(cont.get("snapshots", [])),
            "open_time": otime,
            "close_modify_time": mtime,
            "container_type": cont["type"],
        }
        for key, name in (
            ("object_class", "oclass"),
            ("dir_object_class", "dir_oclass"),
            ("file_object_class", "file_oclass"),
        ):
            if cont.get(name):
                info[key] = cont[name]
        if cont.get("chunk_size"):
            info["chunk_size"] = cont["chunk_size"]
        return info

    def cont_info_text(self, info: dict[str, Any], *, verbose: bool) -> str:
        rows = [("Container UUID", info["container_uuid"])]
        if info.get("container_label"):
            rows.append(("Container Label", info["container_label"]))
        rows.append(("Container Type", info["container_type"]))
        if verbose:
            rows += [
                ("Pool UUID", info["pool_uuid"]),
                ("Container redundancy factor", str(info["redundancy_factor"])),
                ("Number of open handles", str(info["num_handles"])),
                ("Latest open time", hlc_cell(info["open_time"])),
                ("Latest close/modify time", hlc_cell(info["close_modify_time"])),
                ("Number of snapshots", str(info["num_snapshots"])),
            ]
            if info["latest_snapshot"]:
                rows.append(("Latest Persistent Snapshot", hlc_cell(info["latest_snapshot"])))
            for key, title in (
                ("object_class", "Object Class"),
                ("dir_object_class", "Dir Object Class"),
                ("file_object_class", "File Object Class"),
            ):
                if info.get(key):
                    rows.append((title, info[key]))
            if info.get("chunk_size"):
                rows.append(("Chunk Size", iec_bytes(info["chunk_size"])))
        return entity(rows)

    def cont_create(self, args: list[str], opts: dict[str, str]) -> int:
        if not args:
            raise Failure(NO_POOL)
        pool_name, *rest = args
        label = rest[0] if rest else ""
        props = self.parse_props(opts["properties"], WRITABLE) if opts.get("properties") else {}
        if label and "label" in props:
            raise Failure("can't supply label arg and --properties label:")
        label = label or props.pop("label", "")
        if label and not valid_label(label):
            raise Failure(f'invalid label "{label}"')
        ctype = opts.get("type", "POSIX").upper()
        if ctype not in ds.TYPE_CODES:
            raise Failure(
                f"invalid argument for flag `-t, --type' (expected main.ContTypeFlag): "
                f'unknown container type "{opts.get("type")}"'
            )
        chunk = 1048576
        if opts.get("chunk-size"):
            try:
                chunk = parse_bytes(opts["chunk-size"])
            except ValueError:
                raise Failure(f'invalid chunk-size "{opts["chunk-size"]}"') from None
        for flag in ("oclass", "file-oclass", "dir-oclass"):
            value = opts.get(flag, "")
            if value and not OCLASS.match(value):
                raise Failure(f'unknown object class "{value}"')
        with store.locked(self.dir, "daos") as data:
            pool = self.pool_for(data, pool_name, container_cmd=True)
            if label and ds.find_container(data, pool, label):
                raise Failure(f"failed to create container: {EXIST}")
            cont = {
                "uuid": ds.new_uuid(),
                "label": label or "container_label_not_set",
                "type": ctype,
                "owner": f"{self.user}@",
                "group": "users@",
                "props": props,
                "chunk_size": chunk,
                "oclass": opts.get("oclass", ""),
                "file_oclass": opts.get("file-oclass", ""),
                "dir_oclass": opts.get("dir-oclass", ""),
                "acl": ["A::OWNER@:rwdtTaAo", "A:G:GROUP@:rwtT"],
                "created": time.time(),
                "otime": 0,
                "snapshots": [],
            }
            # the server stamps the create (mtime); a POSIX container is then opened read-write by
            # dfs_cont_create to write its superblock (otime) and closed (mtime)
            ds.touch(data, cont, opened=ctype == "POSIX", modified=True)
            if ctype == "POSIX":
                ds.touch(data, cont, modified=True)
            ds.containers(data, pool).append(cont)
            ds.data_dir(self.dir, pool, cont).mkdir(parents=True, exist_ok=True)
        info = self.cont_info(pool, cont)
        text = f"Successfully created container {cont['uuid']}\n" + self.cont_info_text(info, verbose=False)
        return self.emit(info, text)

    def cont_list(self, args: list[str]) -> int:
        if not args:
            raise Failure(NO_POOL)
        data = self.state()
        pool = self.pool_for(data, args[0], container_cmd=False)
        conts = ds.containers(data, pool)
        if not conts:
            return self.emit(None, "No containers.\n")
        text = table(["UUID", "Label"], [[c["uuid"], c["label"]] for c in conts])
        return self.emit([{"uuid": c["uuid"], "label": c["label"]} for c in conts], text)

    def cont_query(self, args: list[str]) -> int:
        _data, pool, cont = self.pool_cont(args)
        info = self.cont_info(pool, cont)
        return self.emit(info, self.cont_info_text(info, verbose=True))

    def cont_destroy(self, args: list[str], opts: dict[str, str]) -> int:
        force = "force" in opts
        with store.locked(self.dir, "daos") as data:
            if not args:
                raise Failure(NO_POOL)
            pool = self.pool_for(data, args[0], container_cmd=True)
            name = args[1] if len(args) > 1 else ""
            cont = ds.find_container(data, pool, name) if name else None
            if cont is None:
                raise Failure(f"failed to destroy container {name}: {NONEXIST}")
            if self.handles(cont) and not force:
                raise Failure(f"failed to destroy container {name}: {BUSY}")
            ds.containers(data, pool).remove(cont)
            shutil.rmtree(ds.data_dir(self.dir, pool, cont), ignore_errors=True)
        return self.emit(None, f"Successfully destroyed container {name}\n")

    def mounted_container(self, path: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """The pool and container behind a dfuse path (login node or a job node's mount)."""
        data = self.state()
        entry = store.load(self.dir, "mounts").get(path)
        if entry is None:
            for mounts in store.load(self.dir, "nodes").values():
                entry = mounts.get(path) or entry
        if entry is None:
            raise Failure(f"{path}: not a DAOS container path: DER_BADPATH(-1026): Bad path name")
        pool = ds.find_pool(data, entry["pool_uuid"])
        return pool, (ds.find_container(data, pool, entry["cont_uuid"]) if pool else None)

    def cont_check(self, args: list[str], opts: dict[str, str]) -> int:
        if opts.get("path"):
            pool, cont = self.mounted_container(os.path.normpath(opts["path"]))
        else:
            _data, pool, cont = self.pool_cont(args)
        if pool is None or cont is None:
            raise Failure(NONEXIST)
        objects = (
            sum(len(files) + len(dirs) for _r, dirs, files in os.walk(ds.data_dir(self.dir, pool, cont))) + 1
        )
        stamp = time.strftime("%a %b %d %H:%M:%S %Y")
        sys.stdout.write(
            f"check container {cont['uuid']} started at: {stamp}\n"
            f"check container {cont['uuid']} completed at: {stamp}\n"
            f"checked: {objects}\nskipped: 0\ninconsistent: 0\nrun_time: 1 seconds\n"
            f"scan_speed: {objects} objs/sec\n"
        )
        return 0
