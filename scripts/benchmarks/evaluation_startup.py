"""Where the evaluation jobs' seconds go: start-up (imports, loading) against the nested CV itself.

    .venv/bin/python scripts/benchmarks/evaluation_startup.py ../default_run     # a run's working directory

For every evaluate_representation job of a finished run, reads its wall seconds from
benchmarks/ and its log from logs/. The log's first line is written once the job has
imported its libraries and loaded the cohort, the network, the folds (and NSQN's smoothed
matrices); its last line once every table is written. Start-up is the wall time outside
that span: mostly Python importing scikit-learn, SciPy and pandas, then the loading and
the process's exit. Prints a markdown table per representation (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import re
from datetime import datetime
from pathlib import Path

import pandas as pd

JOB = re.compile(r"evaluate_representation_(?P<cancer>[A-Z0-9]+)_(?P<representation>\w+)_(?P<repeat>\d+)$")
STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ", re.MULTILINE)
GRID_VALUE = re.compile(r"grid value .* done for \d+ outer folds in ([\d.]+) s")


def job_seconds(run: Path) -> pd.DataFrame:
    """One row per evaluation job: wall seconds, seconds inside the logged span, inner-CV seconds."""
    rows = []
    for path in sorted((run / "benchmarks" / "benchmark").glob("evaluate_representation_*.tsv")):
        match = JOB.match(path.stem)
        if match is None:
            raise SystemExit(f"{path}: not named evaluate_representation_<cancer>_<representation>_<repeat>")
        benchmark = pd.read_csv(path, sep="\t")
        if benchmark.empty:
            continue  # a header without a measurement, skipped as rule_benchmarks.py does
        log_path = run / "logs" / "benchmark" / f"{path.stem}.log"
        log = log_path.read_text() if log_path.exists() else ""
        stamps = [datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f") for stamp in STAMP.findall(log)]
        if len(stamps) < 2:
            raise SystemExit(f"{log_path}: missing, or fewer than two timestamped lines (not a finished job's log)")
        wall = float(benchmark["s"].iloc[-1])
        logged = (stamps[-1] - stamps[0]).total_seconds()
        rows.append(
            {
                **match.groupdict(),
                "wall": wall,
                "logged": logged,
                "start_up": wall - logged,
                "inner_cv": sum(float(s) for s in GRID_VALUE.findall(log)),
            }
        )
    if not rows:
        raise SystemExit(f"{run}: no benchmarks/benchmark/evaluate_representation_*.tsv")
    return pd.DataFrame(rows)


def per_representation(jobs: pd.DataFrame) -> pd.DataFrame:
    """Jobs and seconds summed per representation, with an "all" row and the mean start-up per job."""
    table = jobs.groupby("representation").agg(
        jobs=("wall", "size"), wall=("wall", "sum"), start_up=("start_up", "sum"), inner_cv=("inner_cv", "sum")
    )
    table.loc["all"] = table.sum()
    table["start_up_per_job"] = table["start_up"] / table["jobs"]
    table["jobs"] = table["jobs"].astype(int)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, nargs="?", default=Path("."), help="the run's working directory")
    print(per_representation(job_seconds(parser.parse_args().run)).round(2).to_markdown())


if __name__ == "__main__":
    main()
