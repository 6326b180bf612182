"""Per-job seconds and peak memory of a workflow run, from Snakemake's benchmark: files.

    .venv/bin/python scripts/benchmarks/rule_benchmarks.py benchmarks          # every job
    .venv/bin/python scripts/benchmarks/rule_benchmarks.py benchmarks --by-rule

Prints markdown tables (docs/benchmarks.md): each job's wall seconds and peak RSS, or per
rule the number of jobs, total and largest seconds and the largest peak RSS.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pandas as pd


def job_table(root: Path) -> pd.DataFrame:
    rows = []
    for path in sorted(root.rglob("*.tsv")):
        table = pd.read_csv(path, sep="\t")
        if table.empty:
            continue
        rows.append(
            {
                "stage": path.parent.name,
                "job": path.stem,
                "seconds": float(table["s"].iloc[-1]),
                "peak_rss_mb": float(table["max_rss"].iloc[-1]),
            }
        )
    jobs = pd.DataFrame(rows, columns=["stage", "job", "seconds", "peak_rss_mb"])
    jobs["rule"] = [next((r for r in RULES if job.startswith(r)), job) for job in jobs["job"]]
    return jobs


RULE_DEFINITION = re.compile(r"^rule (\w+):", re.MULTILINE)
RULES = sorted(
    {
        name
        for path in (Path(__file__).resolve().parents[2] / "workflow" / "rules").glob("*.smk")
        for name in RULE_DEFINITION.findall(path.read_text())
    },
    key=len,
    reverse=True,
)  # longest prefix first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, nargs="?", default=Path("benchmarks"))
    parser.add_argument("--by-rule", action="store_true")
    args = parser.parse_args()
    jobs = job_table(args.root)
    if jobs.empty:
        raise SystemExit(f"{args.root}: no benchmark file with a measurement (a run's benchmarks/ folder)")
    if args.by_rule:
        table = jobs.groupby("rule").agg(
            jobs=("job", "size"),
            total_seconds=("seconds", "sum"),
            max_seconds=("seconds", "max"),
            max_peak_rss_mb=("peak_rss_mb", "max"),
        )
        print(table.round(1).sort_values("total_seconds", ascending=False).to_markdown())
    else:
        print(jobs.sort_values("seconds", ascending=False).round(2).to_markdown(index=False))


if __name__ == "__main__":
    main()
