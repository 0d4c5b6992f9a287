"""Simulated `daos pool list|query|autotest`, printed as DAOS 2.6's pretty printers print them.

Layout source: daos-stack/daos release/2.6.4-aurora, src/control/cmd/daos/pretty/pool.go
(PrintPoolInfo, printPoolList) and src/control/cmd/daos/pool.go (query flags, masks).
"""

from __future__ import annotations

import sys
import time
from typing import Any

from daostui.sim import daos_state as ds
from daostui.sim.daos_base import NO_PERM, NO_POOL, DaosBase, Failure
from daostui.sim.humanize import si_bytes, table

QUERY_FLAGS = {
    "-e": "enabled",
    "--show-enabled": "enabled",
    "-b": "disabled",
    "--show-disabled": "disabled",
    "-t": "health",
    "--health-only": "health",
}


def format_ranks(ranks: list[int]) -> str:
    """ranklist.RankSet.String() without brackets: `0-16,18-127`."""
    runs: list[list[int]] = []
    for rank in sorted(set(ranks)):
        if runs and rank == runs[-1][1] + 1:
            runs[-1][1] = rank
        else:
            runs.append([rank, rank])
    return ",".join(str(low) if low == high else f"{low}-{high}" for low, high in runs)


def pool_info_text(info: dict[str, Any]) -> str:
    """PrintPoolInfo (2.6)."""
    lines = [
        f"Pool {info['uuid']}, ntarget={info['total_targets']}, disabled={info['disabled_targets']}, "
        f"leader={info['svc_ldr']}, version={info['version']}, state={info['state']}"
    ]
    if info["pool_layout_ver"] != info["upgrade_layout_ver"]:
        lines.append(
            f"Pool layout out of date ({info['pool_layout_ver']} < {info['upgrade_layout_ver']}) "
            "-- see `dmg pool upgrade` for details."
        )
    lines.append("Pool health info:")
    if info.get("enabled_ranks"):
        lines.append(f"- Enabled ranks: {format_ranks(info['enabled_ranks'])}")
    if info.get("disabled_ranks"):
        lines.append(f"- Disabled ranks: {format_ranks(info['disabled_ranks'])}")
    rebuild = info["rebuild"]
    if rebuild["status"] == 0:
        lines.append(f"- Rebuild {rebuild['state']}, {rebuild['objects']} objs, {rebuild['records']} recs")
    else:
        lines.append(f"- Rebuild failed, status={rebuild['status']}")
    if info["tier_stats"] is not None:
        lines += ["Pool space info:", f"- Target(VOS) count:{info['active_targets']}"]
        for index, tier in enumerate(info["tier_stats"]):
            lines += [
                f"- Storage tier {index} ({'SCM' if index == 0 else 'NVMe'}):",
                f"  Total size: {si_bytes(tier['total'])}",
                f"  Free: {si_bytes(tier['free'])}, min:{si_bytes(tier['min'])}, max:{si_bytes(tier['max'])}, "
                f"mean:{si_bytes(tier['mean'])}",
            ]
    return "\n".join(lines) + "\n"


class PoolCommands(DaosBase):
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
        flags = {QUERY_FLAGS[a] for a in args if a in QUERY_FLAGS}
        names = [a for a in args if a not in QUERY_FLAGS]
        if unknown := [a for a in names if a.startswith("-")]:
            raise Failure(f"unknown flag `{unknown[0].lstrip('-')}'")
        if {"enabled", "disabled"} <= flags:
            raise Failure("show-enabled and show-disabled can't be used at the same time.")
        if not names:
            raise Failure(NO_POOL)
        # -t is the health mask (disabled and dead engines, no space); -e/-b add one rank set
        ranks = ",".join(sorted(flags, key=["health", "enabled", "disabled"].index))
        data = self.state()
        pool = self.pool_for(data, names[0], container_cmd=False)
        info = ds.pool_info(self.dir, pool, ranks)
        return self.emit(info, pool_info_text(info))

    def pool_autotest(self, args: list[str]) -> int:
        names = [a for a in args if not a.startswith("-")]
        if not names:
            raise Failure(NO_POOL)
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
