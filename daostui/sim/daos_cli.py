"""The simulated `daos` command: the subcommands daostui and the tutorial use, byte-faithful.

This module parses the command line (go-flags' rules as far as daostui's commands need them) and
dispatches to the per-resource command mixins: pools (`daos_pool_cmds`), containers
(`daos_cont_cmds`), properties (`daos_prop_cmds`), ACLs (`daos_acl_cmds`), snapshots
(`daos_snap_cmds`) and filesystems (`daos_fs_cmds`); `daos_base` holds the output envelope and the
error chains they share.
"""

from __future__ import annotations

import sys

from daostui.sim import knobs, store
from daostui.sim.daos_acl_cmds import AclCommands
from daostui.sim.daos_base import UNREACH, Failure
from daostui.sim.daos_cont_cmds import ContainerCommands
from daostui.sim.daos_fs_cmds import FilesystemCommands
from daostui.sim.daos_pool_cmds import PoolCommands
from daostui.sim.daos_snap_cmds import SnapshotCommands


class Daos(PoolCommands, ContainerCommands, AclCommands, SnapshotCommands, FilesystemCommands):
    def version(self, _args: list[str]) -> int:
        if self.json:
            return self.emit(
                {"name": "DAOS CLI", "version": "2.6.4", "build_time": "2026-04-21T17:03:11Z"}, ""
            )
        sys.stdout.write("DAOS CLI version 2.6.4, libdaos v2.7.0\n")
        return 0


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
    "-s": "snap",
    "--snap": "snap",
    "--epc": "epc",
    "-r": "epcrange",
    "--epcrange": "epcrange",
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
#: Short flags that mean something else in one subcommand (`destroy -f` is --force, `destroy-snap -e` --epc).
OVERRIDES = {"destroy": {"-f": "force"}, "destroy-snap": {"-e": "epc"}}


def split_args(tokens: list[str], sub: str = "") -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    opts: dict[str, str] = {}
    overrides = OVERRIDES.get(sub, {})
    iterator = iter(tokens)
    for token in iterator:
        if token.startswith("-") and token != "-":
            name, eq, value = token.partition("=")
            if overrides.get(name) == "force":
                opts["force"] = ""
                continue
            key = overrides.get(name) or FLAGS_WITH_VALUES.get(name)
            if key is not None:
                if not eq:
                    value = next(iterator, None)
                    if value is None:
                        raise Failure(f"expected argument for flag `{name}'")
                opts[key] = value
            elif name in BOOL_FLAGS:
                opts[BOOL_FLAGS[name]] = ""
            else:
                raise Failure(f"unknown flag `{name.lstrip('-')}'")
        else:
            positional.append(token)
    return positional, opts


COMMANDS = "container, filesystem, health, object, pool, server-version, system or version"
POOL_COMMANDS = (
    "autotest, del-attr, get-attr, list, list-attr, list-containers, query, query-targets or set-attr"
)
CONTAINER_COMMANDS = (
    "check, create, create-snap, delete-acl, destroy, destroy-snap, get-acl, get-prop, list, list-snap, "
    "query, set-prop, update-acl"
)


def run_pool(daos: Daos, sub: str, tokens: list[str]) -> int:
    if sub == "query":
        return daos.pool_query(tokens)  # its -e/-b/-t are switches, not the container flags of the same name
    handler = {
        "list": daos.pool_list,
        "autotest": daos.pool_autotest,
        "list-containers": daos.cont_list,
        "list-cont": daos.cont_list,
    }.get(sub)
    if handler is None:
        raise Failure(f"Unknown command `{sub}'. Please specify one command of: {POOL_COMMANDS}")
    return handler(split_args(tokens, sub)[0])


def run_container(daos: Daos, sub: str, tokens: list[str]) -> int:
    args, opts = split_args(tokens, sub)
    simple = {
        "list": daos.cont_list,
        "ls": daos.cont_list,
        "query": daos.cont_query,
        "get-prop": daos.cont_get_prop,
        "getprop": daos.cont_get_prop,
        "list-snap": daos.cont_list_snap,
        "list-snaps": daos.cont_list_snap,
    }
    if sub in simple:
        return simple[sub](args)
    with_opts = {
        "create": daos.cont_create,
        "set-prop": daos.cont_set_prop,
        "setprop": daos.cont_set_prop,
        "destroy": daos.cont_destroy,
        "check": daos.cont_check,
        "create-snap": daos.cont_create_snap,
        "snap": daos.cont_create_snap,
        "destroy-snap": daos.cont_destroy_snap,
    }
    if sub in with_opts:
        return with_opts[sub](args, opts)
    if sub in ("update-acl", "delete-acl", "get-acl"):
        return daos.cont_acl(sub, args, opts)
    raise Failure(f"Unknown command `{sub}'. Please specify one command of: {CONTAINER_COMMANDS}")


def run_filesystem(daos: Daos, sub: str, tokens: list[str]) -> int:
    args, opts = split_args(tokens, sub)
    if sub == "copy":
        return daos.fs_copy(opts)
    if sub == "check":
        return daos.fs_check(args)
    raise Failure(f"Unknown command `{sub}'. Please specify one command of: check, copy, query")


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
        sub, tokens = (rest[0], rest[1:]) if rest else ("", [])
        runners = {"pool": run_pool, "container": run_container, "filesystem": run_filesystem}
        if group not in runners:
            raise Failure(f"Unknown command `{group}'. Please specify one command of: {COMMANDS}")
        return runners[group](daos, sub, tokens)
    except Failure as exc:
        return daos.fail(str(exc), exc.status if exc.status != -1025 else None)
