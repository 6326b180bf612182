"""Which configuration the results on disk belong to, so that a report never mixes two runs.

A run writes `results/run.json` when it starts (status "running") and when it succeeds
("complete"): the configuration's checksum and what it covers. `snakemake --report`
builds the report from the files on disk for the configuration it is given; when that
is not the configuration of the last run, the report would mix both (a 2-type landing
page with Kaplan-Meier pages of 7 types left from an earlier run), so it is refused.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pancan.atomic import write_text_atomic

RECORD = "results/run.json"


def config_checksum(config: dict) -> str:
    """sha256 of the validated configuration (keys sorted), to tell two runs' settings apart."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()


def _covers(config: dict, cancers: list[str]) -> dict:
    benchmark = config["benchmark"]
    return {
        "cancer_types": list(cancers),
        "data_source": config["data_source"],
        "representations": list(benchmark["representations"]),
        "model": benchmark["model"],
        "stratification": config["stratification"]["enabled"],
    }


def record_run(config: dict, cancers: list[str], status: str, path: str | Path = RECORD) -> None:
    """Write the run record: checksum, status and what the run covers."""
    record = {"config_sha256": config_checksum(config), "status": status, **_covers(config, cancers)}
    write_text_atomic(path, json.dumps(record, indent=2) + "\n")


def mismatch(config: dict, cancers: list[str], path: str | Path = RECORD) -> str | None:
    """What differs between the recorded run and this configuration; None when they agree (or no run is recorded)."""
    path = Path(path)
    if not path.exists():
        return None
    record = json.loads(path.read_text())
    if record.get("config_sha256") == config_checksum(config):
        return None
    current = _covers(config, cancers)
    changed = [f"{key} {record.get(key)} (now {value})" for key, value in current.items() if record.get(key) != value]
    return (
        f"{path} records a run of another configuration (sha256 {str(record.get('config_sha256'))[:12]}, "
        f"{record.get('status')}): {'; '.join(changed) or 'other settings differ'}"
    )
