"""A running job's compute nodes and their dfuse mounts, fanned out with ClusterShell.

`launch-dfuse.sh` mounts the job's container on every node (with `clush`) and exits 0 even when a
node failed; ALCF's advice is to verify with `clush` and `dshbak -c`. This package does that for
the console: one `clush -b` run over the job's nodes (fanout and timeouts from config), a small
per-node probe whose output is framed (`probe`), ClusterShell's own gathering by identical output
parsed back (`clush`), and per-node verdicts folded into a handful of groups with NodeSet
(`grouping`): "508 nodes: mounted, ok · 3 nodes: not mounted · 1 node: hung".

Modules: `models` (results), `probe` (the per-node script and how to read one node's answer),
`clush` (argv and the gathered output), `grouping`, `discover` (which container the job mounts),
`client` (probe, remount, clean up), `watch` (the live re-probe policy), `doctor` (the doctor's
"every node has the container" check). Textual-free, and it never imports the simulator.
"""
