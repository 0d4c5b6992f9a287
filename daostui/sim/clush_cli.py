"""`clush` on the simulated login node: the real ClusterShell `clush`, reaching the simulated nodes.

The arguments are read with ClusterShell's own option parser (built as `clush` builds it), so
every option means what it means to `clush`; the command is then run with the exec worker
(`-R exec`) through the nodes' shim (`compute_nodes.node_command`) instead of over ssh, and
ClusterShell's `clush` itself does the rest in this process: fanout, timeouts, gathering, output.
"""

from __future__ import annotations

import sys

from daostui.sim import compute_nodes, store


def _parser():  # type: ignore[no-untyped-def]
    """clush's parser, as `ClusterShell.CLI.Clush.main` builds it (ClusterShell 1.9 and 1.10)."""
    from ClusterShell.CLI.OptionParser import OptionParser

    parser = OptionParser("%prog [options] command")
    parser.add_option("-n", "--nostdin", action="store_true", dest="nostdin")
    parser.install_groupsconf_option()
    parser.install_clush_config_options()
    parser.install_nodes_options()
    parser.install_display_options(verbose_options=True)
    parser.install_filecopy_options()
    parser.install_connector_options()
    return parser


def main(program: str, args: list[str]) -> int:
    directory = store.state_dir()
    options, words = _parser().parse_args(list(args))
    if not words or options.copy or options.rcopy:
        sys.stderr.write(
            "clush (simulated): give the command to run on the nodes; interactive mode and "
            "--copy/--rcopy are not simulated\n"
        )
        return 2
    compute_nodes.apply_faults(directory)
    head = list(args[: len(args) - len(words)])
    remote = compute_nodes.node_command(directory, " ".join(words))
    from ClusterShell.CLI import Clush

    sys.argv = ["clush", *head, "-R", "exec", remote]
    try:
        Clush.main()
    except SystemExit as done:
        return int(done.code or 0) if not isinstance(done.code, str) else 1
    return 0
