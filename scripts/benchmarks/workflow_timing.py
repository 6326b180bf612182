"""Time whole workflow runs of one or more checkouts side by side, on the same machine and data.

    .venv/bin/python scripts/benchmarks/workflow_timing.py --runs ../timing \\
        --checkout old=../pancan-old --checkout new=. [--overlay config/paper_protocol.yaml] \\
        [--target results/benchmark/folds.tsv] [--repeat 1]

Each checkout's Snakefile runs into its own folder under --runs (with this checkout's
Python environment, `--cores 2`, the checkout's config/config.yaml plus the overlays, the
stratification stage off), one after the other, `--repeat` times in turn (old, new, old,
new: a drift of the machine then shows). Prints, per run: wall time, the largest process's
peak memory (/usr/bin/time), the sum of job seconds per rule and the largest job's peak
memory (Snakemake's benchmark files). The fold tables of the runs are then compared with
`compare_fold_tables.py`.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from compare_fold_tables import compare, unexplained  # noqa: E402
from rule_benchmarks import job_table  # noqa: E402

NO_STRATIFICATION = "stratification: {enabled: false}\n"


def run(checkout: Path, workdir: Path, overlays: list[Path], target: str) -> dict:
    """One workflow run from scratch; wall seconds, peak memory and per-rule job seconds."""
    workdir.mkdir(parents=True, exist_ok=True)
    extra = workdir / "no_stratification.yaml"
    extra.write_text(NO_STRATIFICATION)
    snakemake = Path(sys.executable).parent / "snakemake"
    configs = [checkout / "config" / "config.yaml", *overlays, extra]
    command = ["/usr/bin/time", "-v", str(snakemake), "-s", str(checkout / "Snakefile"), "-d", str(workdir)]
    command += ["--cores", "2", "--configfile", *map(str, configs), "--", target]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{checkout}: the run failed\n{result.stderr[-3000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    jobs = job_table(workdir / "benchmarks")
    return {
        "wall_seconds": round(wall, 1),
        "largest_process_mb": round(int(peak.group(1)) / 1024) if peak else None,
        "largest_job_mb": round(jobs["peak_rss_mb"].max()),
        "job_seconds": jobs.groupby("rule")["seconds"].sum().round(1).to_dict(),
        "jobs": len(jobs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, required=True, help="folder of the runs (one subfolder each)")
    parser.add_argument("--checkout", action="append", required=True, help="name=path of a checkout")
    parser.add_argument("--overlay", action="append", default=[], type=Path, help="config overlay (repeatable)")
    parser.add_argument("--target", default="results/benchmark/folds.tsv")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    checkouts = dict(item.split("=", 1) for item in args.checkout)
    rows, folds = [], {}
    for repeat in range(args.repeat):
        for name, path in checkouts.items():
            workdir = args.runs / f"{name}_{repeat}"
            overlays = [Path(path) / overlay for overlay in args.overlay]
            measured = run(Path(path).resolve(), workdir, overlays, args.target)
            print(f"{name} (run {repeat + 1}): {measured}", flush=True)
            rows.append(
                {"checkout": name, "run": repeat + 1, **{k: v for k, v in measured.items() if k != "job_seconds"}}
            )
            rows[-1].update({f"s {rule}": seconds for rule, seconds in measured["job_seconds"].items()})
            folds[name] = pd.read_csv(workdir / "results" / "benchmark" / "folds.tsv", sep="\t")
    print(pd.DataFrame(rows).to_markdown(index=False))
    names = list(checkouts)
    for other in names[1:]:
        print(f"\nfold tables, {names[0]} against {other}:")
        print(compare(folds[names[0]], folds[other]).to_markdown(index=False))
        rest = unexplained(folds[names[0]], folds[other])
        print(f"{len(rest)} fold(s) moved by >= 0.001 without a near tie")
        if len(rest):
            print(rest.to_markdown(index=False))


if __name__ == "__main__":
    main()
