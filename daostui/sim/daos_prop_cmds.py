"""Simulated container properties: `daos container get-prop|set-prop` and `--properties` parsing.

Keys, descriptions, choices and messages follow daos-cli.md §3.3-3.5 (src/control/cmd/daos/property.go):
get-prop lists every handler sorted by key, then the ACL; set-prop accepts only `label` and `status`.
"""

from __future__ import annotations

from typing import Any

from daostui.sim import daos_state as ds
from daostui.sim import store
from daostui.sim.daos_base import EXIST, LABEL_OK, UUID_RE, DaosBase, Failure
from daostui.sim.humanize import iec_bytes, parse_bytes, table

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


def valid_label(label: str) -> bool:
    """daos_label_is_valid: 1-127 of [A-Za-z0-9._:-], and not a UUID."""
    return bool(LABEL_OK.match(label)) and not ("-" in label and UUID_RE.match(label))


class PropertyCommands(DaosBase):
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
            if key == "label" and not valid_label(value):
                raise Failure(f'invalid label "{value}"')
            props[key] = value
        return props

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
        _data, pool, cont = self.pool_cont(args)
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
            ds.touch(data, cont, modified=True)
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
