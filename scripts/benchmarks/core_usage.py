"""How busy the cores were during a workflow run, from Snakemake's log: where its wall time went beyond the work.

    .venv/bin/python scripts/benchmarks/core_usage.py "$(ls -t RUN/.snakemake/log/*.snakemake.log | head -1)" --cores 2

Each job occupies its `threads` cores from its start to its "Finished" line (both stamped to
the second by Snakemake). Prints the run's span, the job core-seconds, the idle
core-seconds (cores times span, less the jobs' core-seconds), the busy cores per minute,
and the last jobs to finish: a long job that started late shows as a tail with one core idle.
Jobs of a run still in progress count up to the log's last line, failed jobs up to their error.
"""

from __future__ import annotations

import argparse
import re
from datetime import datetime
from pathlib import Path

import numpy as np

STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
RULE = re.compile(r"^(?:local)?(?:rule|checkpoint) (\w+):$")
FINISHED = re.compile(r"^Finished job(?:id:)? (\d+)")
FAILED = re.compile(r"^Error in rule (\w+):$")


def _fields(lines: list[str], index: int) -> dict[str, str]:
    """The indented `key: value` lines after a job's header line."""
    fields = {}
    for detail in lines[index + 1 : index + 20]:
        key, _, value = detail.strip().partition(": ")
        if not detail.startswith("    ") or not value:
            break
        fields[key] = value
    return fields


def jobs_of(log: Path) -> list[dict]:
    """One entry per job: rule, wildcards, threads, start and end seconds from the first job's start, state."""
    lines = log.read_text().splitlines()
    stamp, started, finished, failed = None, {}, {}, set()
    for index, line in enumerate(lines):
        if match := STAMP.match(line.strip()):
            stamp = datetime.strptime(" ".join(match.group(1).split()), "%a %b %d %H:%M:%S %Y")
        elif match := FAILED.match(line.strip()):
            jobid = _fields(lines, index).get("jobid")
            if jobid is not None:  # a failed job has no "Finished" line: it ends at its error
                finished[jobid] = stamp
                failed.add(jobid)
        elif match := RULE.match(line.strip()):
            fields = _fields(lines, index)
            if "jobid" in fields:
                started[fields["jobid"]] = (
                    match.group(1),
                    fields.get("wildcards", ""),
                    int(fields.get("threads", 1)),
                    stamp,
                )
        elif match := FINISHED.match(line.strip()):
            finished[match.group(1)] = stamp
    if not started:
        raise SystemExit(f"{log}: no job found (is this a Snakemake log?)")
    origin = min(begin for *_, begin in started.values())
    return [
        {
            "rule": rule,
            "wildcards": wildcards,
            "threads": threads,
            "start": (begin - origin).total_seconds(),
            # a job still running (a log of a run in progress) is counted up to the log's last stamp
            "end": (finished.get(jobid, stamp) - origin).total_seconds(),
            "state": "failed" if jobid in failed else ("running" if jobid not in finished else ""),
        }
        for jobid, (rule, wildcards, threads, begin) in started.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("log", type=Path)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--last", type=int, default=8, help="last jobs to list")
    args = parser.parse_args()
    jobs = jobs_of(args.log)
    span = int(max(job["end"] for job in jobs))
    busy = np.zeros(span)
    for job in jobs:
        busy[int(job["start"]) : int(job["end"])] += min(job["threads"], args.cores)
    busy = np.minimum(busy, args.cores)
    used = float(busy.sum())
    print(f"{len(jobs)} jobs over {span} s: {used:.0f} busy core-seconds, {args.cores * span - used:.0f} idle")
    minutes = [f"{busy[start : start + 60].mean():.1f}" for start in range(0, span, 60)]
    print("busy cores per minute:", " ".join(minutes))
    print(f"last {args.last} jobs to finish (start, end, seconds):")
    for job in sorted(jobs, key=lambda job: job["end"])[-args.last :]:
        state = f" ({job['state']})" if job["state"] else ""
        print(
            f"  {job['start']:6.0f} {job['end']:6.0f} {job['end'] - job['start']:5.0f}  {job['rule']} {job['wildcards']}{state}"
        )


if __name__ == "__main__":
    main()
