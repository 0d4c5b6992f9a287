"""The simulated `daos` command: the subcommands daostui and the tutorial use, byte-faithful.

Layouts follow daos-cli.md: the JSON envelope (`response`, `error`, `status`, 2-space indent),
tabwriter tables with trailing spaces, entity blocks, `ERROR: daos: ...` on stderr and exit 1,
and the exact error chains for missing pools/containers, existing labels, permissions and busy
containers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from daostui.sim import daos_state as ds
from daostui.sim import knobs, store
from daostui.sim.humanize import iec_bytes, parse_bytes, si_bytes, table

NONEXIST = "DER_NONEXIST(-1005): The specified entity does not exist"
NO_PERM = "DER_NO_PERM(-1001): Operation not permitted"
EXIST = "DER_EXIST(-1004): Entity already exists"
BUSY = "DER_BUSY(-1012): Device or resource busy"
UNREACH = "DER_UNREACH(-1006): Unreachable node"
LABEL_OK = re.compile(r"^[A-Za-z0-9._:-]{1,127}$")
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
CHOICES = {
    "rd_fac": ("0", "1", "2", "3", "4"),
    "cksum": ("off", "adler32", "crc16", "crc32", "crc64", "sha1", "sha256", "sha512"),
    "srv_cksum": ("on", "off"),
    "dedup": ("off", "memcmp", "hash"),
    "compression": ("off", "lz4", "deflate", "deflate1", "deflate2", "deflate3", "deflate4"),
    "encryption": (
        "off",
        "aes-xts128",
        "aes-xts256",
        "aes-cbc128",
        "aes-cbc192",
        "aes-cbc256",
        "aes-gcm128",
        "aes-gcm256",
    ),
    "rd_lvl": ("1", "2", "rank", "node"),
    "perf_domain": ("root", "group"),
    "status": ("healthy",),
}
WRITABLE = sorted({*CHOICES, "label", "cksum_size", "dedup_threshold", "ec_cell_sz", "ec_pda", "rp_pda"})
ALL_KEYS = sorted(k for k in ds.DESCRIPTIONS if k != "acl")


class Failure(Exception):
    def __init__(self, message: str, status: int = -1025) -> None:
        super().__init__(message)
        self.status = status


def der_status(message: str) -> int:
    match = re.search(r"DER_[A-Z_]+\((-\d+)\)", message)
    return int(match.group(1)) if match else -1025


class Daos:
    def __init__(self, directory: Path, as_json: bool) -> None:
        self.dir = directory
        self.json = as_json
        site = json.loads((directory / "site.json").read_text()) if (directory / "site.json").exists() else {}
        self.user = site.get("user") or os.environ.get("USER", "user")
        self.project = site.get("project", "")

    # ------------------------------------------------------------------ output
    def emit(self, response: Any, text: str) -> int:
        if self.json:
            sys.stdout.write(json.dumps({"response": response, "error": None, "status": 0}, indent=2) + "\n")
        else:
            sys.stdout.write(text)
        return 0

    def fail(self, message: str, status: int | None = None) -> int:
        status = der_status(message) if status is None else status
        if self.json:
            sys.stdout.write(
                json.dumps({"response": None, "error": message, "status": status}, indent=2) + "\n"
            )
        sys.stderr.write(f"ERROR: daos: {message}\n")
        return 1

    # ------------------------------------------------------------------ helpers
    def state(self) -> dict[str, Any]:
        with store.lock(self.dir):
            return store.load(self.dir, "daos")

    def accessible(self, pool: dict[str, Any]) -> bool:
        return pool.get("project") in (self.project, "datascience")

    def pool_for(self, data: dict[str, Any], name: str, *, container_cmd: bool) -> dict[str, Any]:
        if not LABEL_OK.match(name) and not UUID_RE.match(name):
            if container_cmd:
                raise Failure(f'invalid label "{name}"')
            raise Failure("failed to connect to pool <no label or uuid set>: no pool UUID or label supplied")
        pool = ds.find_pool(data, name)
        if pool is None:
            raise Failure(NONEXIST if container_cmd else f"failed to connect to pool {name}: {NONEXIST}")
        if not self.accessible(pool):
            raise Failure(NO_PERM if container_cmd else f"failed to connect to pool {name}: {NO_PERM}")
        return pool

    def cont_for(self, data: dict[str, Any], pool: dict[str, Any], name: str) -> dict[str, Any]:
        if not LABEL_OK.match(name) and not UUID_RE.match(name):
            raise Failure(f'invalid label "{name}"')
        cont = ds.find_container(data, pool, name)
        if cont is None:
            raise Failure(NONEXIST)
        return cont

    def handles(self, cont: dict[str, Any]) -> int:
        return len(ds.mounted_paths(self.dir, cont["uuid"]))

    def unclean(self, pool: dict[str, Any], cont: dict[str, Any]) -> bool:
        if cont.get("props", {}).get("status", "HEALTHY") == "UNCLEAN":
            return True
        return any(
            f.get("pool") in (pool["label"], pool["uuid"]) and f.get("cont") in (cont["label"], cont["uuid"])
            for f in knobs.active(self.dir, "unclean")
        )

    # ------------------------------------------------------------------ version
    def version(self, _args: list[str]) -> int:
        if self.json:
            return self.emit(
                {"name": "DAOS CLI", "version": "2.6.4", "build_time": "2026-04-21T17:03:11Z"}, ""
            )
        sys.stdout.write("DAOS CLI version 2.6.4, libdaos v2.7.0\n")
        return 0

    # ------------------------------------------------------------------ pools
    def pool_list(self, args: list[str]) -> int:
        data = self.state()
        infos = []
        for pool in data.get("pools", []):
            if not self.accessible(pool):
                sys.stderr.write(f'ERROR: failed to connect to pool "{pool["label"]}": {NO_PERM}\n')
                continue
            info = ds.pool_info(self.dir, pool)
            info = {"label": pool["label"], **info, "svc_reps": [0, 1, 2]}
            infos.append(info)
        if not infos:
            return self.emit({"pools": None}, "No pools in system\n")
        rows = []
        for info in infos:
            tiers = [t for t in info["tier_stats"] if t["total"]]
            used = max(int((t["total"] - t["free"]) / t["total"] * 100) for t in tiers)
            imbalance = max(u["imbalance"] for u in info["usage"])
            rows.append(
                [
                    info["label"],
                    si_bytes(tiers[-1]["total"]),
                    info["state"],
                    f"{used}%",
                    f"{imbalance}%",
                    f"{info['disabled_targets']}/{info['total_targets']}",
                ]
            )
        text = table(["Pool", "Size", "State", "Used", "Imbalance", "Disabled"], rows) + "\n"
        return self.emit({"pools": infos}, text)

    def pool_query(self, args: list[str]) -> int:
        if not args:
            raise Failure("failed to connect to pool <no label or uuid set>: no pool UUID or label supplied")
        data = self.state()
        pool = self.pool_for(data, args[0], container_cmd=False)
        info = ds.pool_info(self.dir, pool)
        lines = [
            f"Pool {info['uuid']}, ntarget={info['total_targets']}, disabled={info['disabled_targets']}, "
            f"leader={info['svc_ldr']}, version={info['version']}, state={info['state']}",
            "Pool health info:",
            f"- Rebuild {info['rebuild']['state']}, {info['rebuild']['objects']} objs, 0 recs",
            "Pool space info:",
            f"- Target(VOS) count:{info['active_targets']}",
        ]
        for index, tier in enumerate(info["tier_stats"]):
            lines += [
                f"- Storage tier {index} ({'SCM' if index == 0 else 'NVMe'}):",
                f"  Total size: {si_bytes(tier['total'])}",
                f"  Free: {si_bytes(tier['free'])}, min:{si_bytes(tier['min'])}, max:{si_bytes(tier['max'])}, "
                f"mean:{si_bytes(tier['mean'])}",
            ]
        return self.emit(info, "\n".join(lines) + "\n")

    def pool_autotest(self, args: list[str]) -> int:
        names = [a for a in args if not a.startswith("-")]
        if not names:
            raise Failure("failed to connect to pool <no label or uuid set>: no pool UUID or label supplied")
        self.pool_for(self.state(), names[0], container_cmd=False)
        steps = [
            (0, "Initializing DAOS", 0.0, ""),
            (1, "Connecting to pool", 0.012, ""),
            (2, "Creating containers", 0.004, ""),
            (20, "Inserting 128B values", 0.4, "60.80K IO/sec"),
            (99, "Tearing down DAOS", 0.0, ""),
        ]
        sys.stdout.write("Step Operation                 Status Time(sec) Comment\n")
        for step, operation, seconds, comment in steps:
            time.sleep(min(seconds, 0.5))
            line = f"{step:3d}  {operation:<26}{'PASS':^6}{seconds:8.3f}" + (
                f"    {comment}" if comment else ""
            )
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        sys.stdout.write("\nAll steps passed.\n")
        return 0

    # ------------------------------------------------------------------ containers
    def cont_info(self, pool: dict[str, Any], cont: dict[str, Any]) -> dict[str, Any]:
        rf = int(str(cont["props"].get("rd_fac", "rd_fac0")).removeprefix("rd_fac") or 0)
        info: dict[str, Any] = {
            "pool_uuid": pool["uuid"],
            "container_uuid": cont["uuid"],
            "container_label": cont["label"],
            "latest_snapshot": 0,
            "redundancy_factor": rf,
            "num_handles": self.handles(cont) + 1,
            "num_snapshots": 0,
            "open_time": cont.get("open_time", 0),
            "close_modify_time": cont.get("open_time", 0) + (7 << 18),
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
        rows = [
            ("Container UUID", info["container_uuid"]),
            ("Container Label", info.get("container_label", "")),
            ("Container Type", info["container_type"]),
        ]
        if verbose:

            def hlc(value: int) -> str:
                stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime((value >> 18 << 18) / 1e9))
                return f"{value:#x} ({stamp}.000000000 {time.strftime('%z %Z')})"

            rows += [
                ("Pool UUID", info["pool_uuid"]),
                ("Container redundancy factor", str(info["redundancy_factor"])),
                ("Number of open handles", str(info["num_handles"])),
                ("Latest open time", hlc(info["open_time"])),
                ("Latest close/modify time", hlc(info["close_modify_time"])),
                ("Number of snapshots", str(info["num_snapshots"])),
            ]
            for key, title in (
                ("object_class", "Object Class"),
                ("dir_object_class", "Dir Object Class"),
                ("file_object_class", "File Object Class"),
            ):
                if info.get(key):
                    rows.append((title, info[key]))
            if info.get("chunk_size"):
                rows.append(("Chunk Size", iec_bytes(info["chunk_size"])))
        key_width = max(len(k) for k, _ in rows) + (1 if verbose else 0)
        value_width = max(len(v) for _, v in rows)
        return "".join(f"  {k:<{key_width}}: {v:<{value_width}}\n" for k, v in rows) + "\n"

    def parse_props(self, text: str, allowed: list[str]) -> dict[str, str]:
        props: dict[str, str] = {}
        for item in text.split(","):
            if not item:
                raise Failure("properties: empty property")
            key, sep, value = item.partition(":")
            if not sep:
                raise Failure(f'properties: invalid property "{key}" (must be key:val)')
            if not value:
                raise Failure("properties: value must not be empty")
            key = {"rf": "rd_fac", "rf_lvl": "rd_lvl"}.get(key, key)
            if key not in ds.DESCRIPTIONS:
                raise Failure(f'properties: unknown property "{key}" (valid: {",".join(sorted(allowed))})')
            if key not in allowed:
                raise Failure(f'properties: "{key}" is not a settable property (valid: {",".join(allowed)})')
            if key in CHOICES and value.lower() not in CHOICES[key]:
                raise Failure(
                    f'properties: invalid choice "{value}" for {key} (valid: {",".join(CHOICES[key])})'
                )
            if key == "label" and not self.valid_label(value):
                raise Failure(f'invalid label "{value}"')
            props[key] = value
        return props

    @staticmethod
    def valid_label(label: str) -> bool:
        return bool(LABEL_OK.match(label)) and not ("-" in label and UUID_RE.match(label))

    def cont_create(self, args: list[str], opts: dict[str, str]) -> int:
        if not args:
            raise Failure("failed to connect to pool <no label or uuid set>: no pool UUID or label supplied")
        pool_name, *rest = args
        label = rest[0] if rest else ""
        props = self.parse_props(opts["properties"], WRITABLE) if opts.get("properties") else {}
        if label and "label" in props:
            raise Failure("can't supply label arg and --properties label:")
        label = label or props.pop("label", "")
        if label and not self.valid_label(label):
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
            if value and not re.match(r"^(S\d+|SX|RP_\d+G(\d+|X)|EC_\d+P\d+G(\d+|X))$", value):
                raise Failure(f'unknown object class "{value}"')
        with store.locked(self.dir, "daos") as data:
            pool = self.pool_for(data, pool_name, container_cmd=True)
            if label and ds.find_container(data, pool, label):
                raise Failure(f"failed to create container: {EXIST}")
            now = time.time()
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
                "created": now,
                "open_time": int(now * 1e9) & ~((1 << 18) - 1),
            }
            ds.containers(data, pool).append(cont)
            ds.data_dir(self.dir, pool, cont).mkdir(parents=True, exist_ok=True)
        info = self.cont_info(pool, cont)
        text = f"Successfully created container {cont['uuid']}\n" + self.cont_info_text(info, verbose=False)
        return self.emit(info, text)

    def cont_list(self, args: list[str]) -> int:
        if not args:
            raise Failure("failed to connect to pool <no label or uuid set>: no pool UUID or label supplied")
        data = self.state()
        pool = self.pool_for(data, args[0], container_cmd=False)
        conts = ds.containers(data, pool)
        if not conts:
            return self.emit(None, "No containers.\n")
        text = table(["UUID", "Label"], [[c["uuid"], c["label"]] for c in conts])
        return self.emit([{"uuid": c["uuid"], "label": c["label"]} for c in conts], text)

    def _pool_cont(self, args: list[str]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        if len(args) < 2:
            raise Failure(
                "failed to connect to pool <no label or uuid set>: no pool UUID or label supplied"
                if not args
                else "no container label or UUID supplied"
            )
        data = self.state()
        pool = self.pool_for(data, args[0], container_cmd=True)
        return data, pool, self.cont_for(data, pool, args[1])

    def cont_query(self, args: list[str]) -> int:
        _data, pool, cont = self._pool_cont(args)
        info = self.cont_info(pool, cont)
        return self.emit(info, self.cont_info_text(info, verbose=True))

    def properties(self, pool: dict[str, Any], cont: dict[str, Any]) -> list[tuple[str, Any, str]]:
        """(key, json value, text value) for every property, sorted by key, then the ACL."""
        values = dict(ds.DEFAULT_PROPS)
        for key, value in cont.get("props", {}).items():
            if key == "rd_fac":
                value = f"rd_fac{str(value).removeprefix('rd_fac')}"
            elif key in ("ec_cell_sz", "cksum_size", "dedup_threshold"):
                value = int(value) if str(value).isdigit() else parse_bytes(str(value))
            elif key == "rd_lvl":
                value = {"1": "rank (1)", "rank": "rank (1)", "2": "node (2)", "node": "node (2)"}[str(value)]
            elif key == "perf_domain":
                value = {"root": "root (255)", "group": "group (3)"}[str(value)]
            elif key == "status":
                value = str(value).upper()
            values[key] = value
        if self.unclean(pool, cont):
            values["status"] = "UNCLEAN"
        values.update(
            label=cont["label"],
            owner=cont["owner"],
            group=cont["group"],
            layout_type=f"{cont['type']} ({ds.TYPE_CODES.get(cont['type'], 0)})",
        )
        rows = []
        for key in ALL_KEYS:
            value = values[key]
            text = iec_bytes(value) if key in ("ec_cell_sz", "cksum_size", "dedup_threshold") else str(value)
            rows.append((key, value, text))
        rows.append(("acl", list(cont["acl"]), ", ".join(cont["acl"])))
        return rows

    def cont_get_prop(self, args: list[str]) -> int:
        _data, pool, cont = self._pool_cont(args)
        rows = self.properties(pool, cont)
        if len(args) > 2 and args[2] not in ("", "all"):
            wanted = [{"rf": "rd_fac", "rf_lvl": "rd_lvl"}.get(k, k) for k in args[2].split(",")]
            for key in wanted:
                if key not in ds.DESCRIPTIONS:
                    raise Failure(
                        f'properties: unknown property "{key}" (valid: {",".join(sorted(ds.DESCRIPTIONS))})'
                    )
            rows = [r for r in rows if r[0] in wanted]
        response = [
            {"value": value, "name": key, "description": ds.DESCRIPTIONS[key]} for key, value, _ in rows
        ]
        text = f"Properties for container {args[1]}\n" + table(
            ["Name", "Value"], [[f"{ds.DESCRIPTIONS[key]} ({key})", shown] for key, _, shown in rows]
        )
        return self.emit(response, text)

    def cont_set_prop(self, args: list[str], opts: dict[str, str]) -> int:
        spec = args[2] if len(args) > 2 else opts.get("properties", "")
        props = self.parse_props(spec, ["label", "status"])
        with store.locked(self.dir, "daos") as data:
            pool = self.pool_for(data, args[0], container_cmd=True) if args else None
            if pool is None or len(args) < 2:
                raise Failure("no container label or UUID supplied")
            cont = self.cont_for(data, pool, args[1])
            if "label" in props:
                if ds.find_container(data, pool, props["label"]):
                    raise Failure(f"failed to set properties on container {args[1]}: {EXIST}")
                cont["label"] = props["label"]
            if "status" in props:
                cont.setdefault("props", {})["status"] = "HEALTHY"
                cont["unclean_cleared"] = True
        if "status" in props:
            self._clear_unclean(pool, cont)
        return self.emit(None, "Properties were successfully set\n")

    def _clear_unclean(self, pool: dict[str, Any], cont: dict[str, Any]) -> None:
        with store.locked(self.dir, "knobs") as data:
            data["faults"] = [
                f
                for f in data.get("faults") or []
                if not (
                    f.get("kind") == "unclean"
                    and f.get("pool") in (pool["label"], pool["uuid"])
                    and f.get("cont") in (cont["label"], cont["uuid"])
                )
            ]

    def cont_destroy(self, args: list[str], opts: dict[str, str]) -> int:
        force = "force" in opts
        with store.locked(self.dir, "daos") as data:
            if not args:
                raise Failure(
                    "failed to connect to pool <no label or uuid set>: no pool UUID or label supplied"
                )
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

    def cont_acl(self, sub: str, args: list[str], opts: dict[str, str]) -> int:
        with store.locked(self.dir, "daos") as data:
            pool = self.pool_for(data, args[0], container_cmd=True) if args else None
            if pool is None or len(args) < 2:
                raise Failure("no container label or UUID supplied")
            cont = self.cont_for(data, pool, args[1])
            if sub == "update-acl":
                entry = opts.get("entry", "")
                parts = entry.split(":")
                if (
                    len(parts) != 4
                    or parts[0] not in ("A", "L", "U")
                    or not parts[2]
                    or not set(parts[3]) <= set("rwdtTaAo")
                ):
                    raise Failure(f'invalid ACE "{entry}"', -1003)
                principal = ":".join(parts[1:3])
                cont["acl"] = [e for e in cont["acl"] if ":".join(e.split(":")[1:3]) != principal] + [entry]
            elif sub == "delete-acl":
                principal = opts.get("principal", "")
                kept = [e for e in cont["acl"] if e.split(":")[2] != principal.split(":")[-1]]
                if len(kept) == len(cont["acl"]):
                    raise Failure(f"failed to delete ACL for principal {principal}: {NONEXIST}")
                cont["acl"] = kept
        response = {"entries": cont["acl"], "owner_user": cont["owner"], "owner_group": cont["group"]}
        text = f"# Owner: {cont['owner']}\n# Owner Group: {cont['group']}\n# Entries:\n" + "".join(
            e + "\n" for e in cont["acl"]
        )
        return self.emit(response, text)

    def cont_check(self, args: list[str], opts: dict[str, str]) -> int:
        path = opts.get("path")
        data = self.state()
        if path:
            mounts = store.load(self.dir, "mounts")
            entry = mounts.get(os.path.normpath(path))
            if entry is None:
                raise Failure(f"{path}: not a DAOS container path: DER_BADPATH(-1026): Bad path name")
            pool = ds.find_pool(data, entry["pool_uuid"])
            cont = ds.find_container(data, pool, entry["cont_uuid"]) if pool else None
        else:
            _data, pool, cont = self._pool_cont(args)
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

    # ------------------------------------------------------------------ filesystem
    def fs_check(self, args: list[str]) -> int:
        self._pool_cont(args)  # unknown pool or container fails like the real tool
        sys.stdout.write(
            f"DFS checker: Start ({time.strftime('%Y-%m-%d-%H:%M:%S')})\n"
            "DFS checker: Number of leaked OIDs in namespace = 0\n"
        )
        return 0

    def endpoint(self, text: str) -> tuple[Path, dict[str, Any] | None]:
        if not text.startswith("daos://"):
            return Path(text), None
        parts = text.removeprefix("daos://").split("/", 2)
        if len(parts) < 2:
            raise Failure(f"invalid DAOS path {text}")
        data = self.state()
        pool = self.pool_for(data, parts[0], container_cmd=True)
        cont = self.cont_for(data, pool, parts[1])
        base = ds.data_dir(self.dir, pool, cont)
        return base / (parts[2] if len(parts) > 2 else ""), {"pool": pool["uuid"], "cont": cont["uuid"]}

    def fs_copy(self, opts: dict[str, str]) -> int:
        src_text, dst_text = opts.get("src", ""), opts.get("dst", "")
        if not src_text or not dst_text:
            raise Failure("the required flags `--dst' and `--src' were not specified")
        try:
            src, src_ids = self.endpoint(src_text)
            dst, dst_ids = self.endpoint(dst_text)
        except Failure as exc:
            raise Failure(f"failed to copy {src_text} -> {dst_text}: {exc}", der_status(str(exc))) from None
        if not src.exists():
            raise Failure(f"failed to copy {src_text} -> {dst_text}: {NONEXIST}", -1005)
        counts = {"num_dirs": 0, "num_files": 0, "num_links": 0}
        try:
            if src.is_dir():
                for root, dirs, files in os.walk(src):
                    rel = Path(root).relative_to(src)
                    (dst / rel).mkdir(parents=True, exist_ok=True)
                    counts["num_dirs"] += 1
                    for name in files:
                        source = Path(root) / name
                        if source.is_symlink():
                            counts["num_links"] += 1
                            target = dst / rel / name
                            if target.exists() or target.is_symlink():
                                target.unlink()
                            target.symlink_to(os.readlink(source))
                        else:
                            shutil.copy2(source, dst / rel / name)
                            counts["num_files"] += 1
                    counts["num_links"] += sum(1 for d in dirs if (Path(root) / d).is_symlink())
            else:
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst if not dst.is_dir() else dst / src.name)
                counts["num_files"] = 1
        except OSError as exc:
            raise Failure(
                f"failed to copy {src_text} -> {dst_text}: {exc.strerror or exc}: DER_IO(-2001): I / O error",
                -2001,
            ) from None
        kind = "DAOS" if dst_ids else "POSIX"
        response = {
            "src_pool": (src_ids or {}).get("pool", ""),
            "src_cont": (src_ids or {}).get("cont", ""),
            "dst_pool": (dst_ids or {}).get("pool", ""),
            "dst_cont": (dst_ids or {}).get("cont", ""),
            "copy_stats": counts,
        }
        text = (
            f"Successfully copied to {kind}: {dst_text}\n    Directories: {counts['num_dirs']}\n"
            f"    Files:       {counts['num_files']}\n    Links:       {counts['num_links']}\n"
        )
        return self.emit(response, text)


# ---------------------------------------------------------------------- argument parsing
FLAGS_WITH_VALUES = {
    "-t": "type",
    "--type": "type",
    "-z": "chunk-size",
    "--chunk-size": "chunk-size",
    "-o": "oclass",
    "--oclass": "oclass",
    "-d": "dir-oclass",
    "--dir-oclass": "dir-oclass",
    "-f": "file-oclass",
    "--file-oclass": "file-oclass",
    "--properties": "properties",
    "-e": "entry",
    "--entry": "entry",
    "-P": "principal",
    "--principal": "principal",
    "-p": "path",
    "--path": "path",
    "--src": "src",
    "--dst": "dst",
    "--flags": "flags",
    "-D": "deadline",
    "--deadline-limit": "deadline",
}
BOOL_FLAGS = {
    "--force": "force",
    "-v": "verbose",
    "--verbose": "verbose",
    "-n": "no-query",
    "--no-query": "no-query",
    "-S": "skip-big",
    "--skip-big": "skip-big",
    "-j": "json",
    "--json": "json",
}


def split_args(tokens: list[str], *, container_force: bool = False) -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    opts: dict[str, str] = {}
    iterator = iter(tokens)
    for token in iterator:
        if token.startswith("-") and token != "-":
            name, eq, value = token.partition("=")
            if name == "-f" and container_force:
                opts["force"] = ""
                continue
            if name in FLAGS_WITH_VALUES:
                if not eq:
                    value = next(iterator, None)
                    if value is None:
                        raise Failure(f"expected argument for flag `{name}'")
                opts[FLAGS_WITH_VALUES[name]] = value
            elif name in BOOL_FLAGS:
                opts[BOOL_FLAGS[name]] = ""
            else:
                raise Failure(f"unknown flag `{name.lstrip('-')}'")
        else:
            positional.append(token)
    return positional, opts


COMMANDS = "container, filesystem, health, object, pool, server-version, system or version"


def main(program: str, argv: list[str]) -> int:
    directory = store.state_dir()
    as_json = any(a in ("-j", "--json") for a in argv)
    argv = [a for a in argv if a not in ("-j", "--json", "--debug", "--verbose")]
    daos = Daos(directory, as_json)
    if not argv:
        sys.stderr.write(f"ERROR: daos: Please specify one command of: {COMMANDS}\n")
        return 1
    group, *rest = argv
    try:
        if group == "version":
            return daos.version(rest)
        if group in ("-h", "--help"):
            sys.stdout.write(f"Usage:\n  daos [OPTIONS] <command>\n\nAvailable commands: {COMMANDS}\n")
            return 0
        if knobs.take(directory, "agent_down", "daos " + " ".join(argv)):
            raise Failure(f"failed to initialize DAOS API: {UNREACH}")
        group = {"cont": "container", "fs": "filesystem"}.get(group, group)
        sub = rest[0] if rest else ""
        args, opts = split_args(rest[1:], container_force=(group == "container" and sub == "destroy"))
        if group == "pool":
            handler = {
                "list": daos.pool_list,
                "query": daos.pool_query,
                "autotest": daos.pool_autotest,
                "list-containers": daos.cont_list,
                "list-cont": daos.cont_list,
            }.get(sub)
            if handler is None:
                raise Failure(
                    f"Unknown command `{sub}'. Please specify one command of: autotest, del-attr, get-attr, "
                    "list, list-attr, list-containers, query, query-targets or set-attr"
                )
            return handler(args)
        if group == "container":
            simple = {
                "list": daos.cont_list,
                "ls": daos.cont_list,
                "query": daos.cont_query,
                "get-prop": daos.cont_get_prop,
                "getprop": daos.cont_get_prop,
            }
            if sub in simple:
                return simple[sub](args)
            if sub == "create":
                return daos.cont_create(args, opts)
            if sub in ("set-prop", "setprop"):
                return daos.cont_set_prop(args, opts)
            if sub == "destroy":
                return daos.cont_destroy(args, opts)
            if sub in ("update-acl", "delete-acl", "get-acl"):
                return daos.cont_acl(sub, args, opts)
            if sub == "check":
                return daos.cont_check(args, opts)
            raise Failure(
                f"Unknown command `{sub}'. Please specify one command of: check, create, destroy, "
                "get-acl, get-prop, list, query, set-prop, update-acl, delete-acl"
            )
        if group == "filesystem":
            if sub == "copy":
                return daos.fs_copy(opts)
            if sub == "check":
                return daos.fs_check(args)
            raise Failure(f"Unknown command `{sub}'. Please specify one command of: check, copy, query")
        raise Failure(f"Unknown command `{group}'. Please specify one command of: {COMMANDS}")
    except Failure as exc:
        return daos.fail(str(exc), exc.status if exc.status != -1025 else None)
