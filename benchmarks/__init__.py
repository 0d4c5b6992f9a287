"""daostui benchmarks: each prints its figure as a ratio against a baseline measured in the same run.

Run them all with `python -m benchmarks` (or `python -m benchmarks startup table` for some).
They are not part of the timed test suite; their latest figures are in the README.
"""
