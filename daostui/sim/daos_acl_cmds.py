"""Simulated `daos container get-acl|update-acl|delete-acl` (daos-cli.md §3.8: control.FormatACL layout)."""

from __future__ import annotations

from daostui.sim import daos_state as ds
from daostui.sim import store
from daostui.sim.daos_base import NONEXIST, DaosBase, Failure


class AclCommands(DaosBase):
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
            if sub != "get-acl":
                ds.touch(data, cont, modified=True)
        response = {"entries": cont["acl"], "owner_user": cont["owner"], "owner_group": cont["group"]}
        text = f"# Owner: {cont['owner']}\n# Owner Group: {cont['group']}\n# Entries:\n" + "".join(
            e + "\n" for e in cont["acl"]
        )
        return self.emit(response, text)
