"""Parsing a 10,000-job `qstat -f -F json` into models vs a bare `json.loads` of the same bytes.

Target (issue 7): within 1.3x, including repair of invalid escapes only when needed. The repaired
documents (an invalid escape; bare `-v` numbers in every job, as OpenPBS 23.06 prints them) show
what the repair costs when it is needed.
"""

from __future__ import annotations

import json

from benchmarks.common import best_time, qstat_document, report


def main() -> None:
    from daostui.pbs.parse import parse_jobs_json

    clean = qstat_document(10_000)
    dirty = qstat_document(10_000, invalid_escapes=True)
    print(f"# qstat -f -F json with 10,000 jobs: {len(clean) / 1e6:.1f} MB")
    base = best_time(lambda: json.loads(clean))
    report("json.loads (baseline)", base * 1000, "ms", key="parse.json_loads")

    def parse_and_touch() -> None:
        for job in parse_jobs_json(clean):
            job.state  # noqa: B018 - what the jobs pane reads per row
            job.name  # noqa: B018

    report(
        "parse_jobs_json + models (clean)",
        best_time(parse_and_touch) * 1000,
        "ms",
        baseline=base * 1000,
        base_name="json.loads",
        target="target <= 1.3x",
        key="parse.clean",
    )
    # every job submitted with `-v LR=.001,SEED=+42`: the 23.06 writer prints both bare (real output)
    bare = clean.replace(
        '"Variable_List": {', '"Variable_List": {\n                "LR": .001,\n                "SEED": +42,'
    )
    for label, document in (("invalid escapes repaired", dirty), ("bare -v values in every job", bare)):
        report(
            f"parse_jobs_json ({label})",
            best_time(lambda document=document: parse_jobs_json(document)) * 1000,
            "ms",
            baseline=base * 1000,
            base_name="json.loads",
        )


if __name__ == "__main__":
    main()
