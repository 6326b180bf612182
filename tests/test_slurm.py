"""The workflow through a real single-node SLURM cluster (slurmctld + slurmd on localhost) and the slurm profile.

CI installs Debian's slurmctld, slurmd, slurm-client and munge; the test starts the
daemons with scripts/slurm/start_test_cluster.sh and always stops them. A cluster
that cannot start fails the test with the daemons' own logs.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from helpers import REPO, SNAPSHOT

pytestmark = pytest.mark.workflow
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
SCRIPTS = REPO / "scripts" / "slurm"
TARGET = "results/benchmark/summary.tsv"
# The profile's first status check comes 10 s after a submission (then every 10 s more while nothing finishes), as
# suits a busy cluster; this idle test cluster's jobs take seconds, so ask sooner (the profile is otherwise as shipped).
QUICK_STATUS = ("--slurm-init-seconds-before-status-checks", "1")


@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory):
    missing = [tool for tool in ("slurmctld", "slurmd", "munged") if shutil.which(tool) is None]
    if missing or os.geteuid() != 0:
        reason = f"SLURM test cluster needs root and {', '.join(missing) or 'the daemons'}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: .ci/run installs them")
        pytest.skip(reason)
    state = tmp_path_factory.mktemp("slurm")
    started = subprocess.run(
        [str(SCRIPTS / "start_test_cluster.sh"), str(state)], capture_output=True, text=True, timeout=120
    )
    try:
        if started.returncode != 0:
            pytest.fail(f"the SLURM test cluster did not start:\n{started.stdout}\n{started.stderr}")
        yield state
    finally:
        subprocess.run([str(SCRIPTS / "stop_test_cluster.sh"), str(state)], capture_output=True, timeout=60)


BENCHMARK_TABLES = ["folds.tsv", "summary.tsv", "paired_tests.tsv", "GBM/predictions.tsv", "GBM/coefficients.tsv"]
STRATIFICATION_TABLES = [
    f"results/stratification/GBM/{name}/{table}"
    for name in ("nbs", "raw")
    for table in ("model_selection.tsv", "assignments.tsv")
]


def deploy(workdir: Path) -> Path:
    """GBM on STRING's edges of score 950 or more (6,670 genes, so that the influence graph takes seconds): the
    benchmark (mutation count and NetNorM, one repeat) and the stratification (NBS and raw, 4 subsamples split into
    2 cluster_subsamples jobs per representation)."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config.update(snapshot_dir=str(SNAPSHOT), cancer_types=["GBM"])
    config["networks"].update(use=["string"], main="string", string={"min_score": 950})
    config["benchmark"].update(
        representations=["mutation_count", "netnorm"],
        outer_repeats=1,
        inner_folds=3,
        netnorm_k=[50, 100],
        comparisons=[["netnorm", "mutation_count"]],
    )
    config["stratification"].update(
        representations=["nbs", "raw"], ks=[2, 3], subsamples=4, subsamples_per_job=2, max_iter=30
    )
    (workdir / "config").mkdir(parents=True)
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    return workdir


def slurm_jobs() -> list[tuple[str, str]]:
    listing = subprocess.run(
        ["squeue", "--states=all", "--noheader", "--format=%i %T"], capture_output=True, text=True, check=True
    ).stdout
    return [tuple(line.split()) for line in listing.splitlines()]


@pytest.fixture(scope="module")
def runs(slurm_cluster, tmp_path_factory):
    """One run through SLURM and one local run of the same targets (one Snakemake run each: the scheduler's
    status checks, not the work, set the time of a cluster run, so both stages share its rounds)."""
    root = tmp_path_factory.mktemp("runs")
    targets = [TARGET, *STRATIFICATION_TABLES]
    before = {job for job, _ in slurm_jobs()}
    cluster_dir = deploy(root / "cluster")
    cluster = subprocess.run(
        [
            SNAKEMAKE,
            *targets,
            "-s",
            str(REPO / "Snakefile"),
            "-d",
            str(cluster_dir),
            "--workflow-profile",
            str(REPO / "profiles" / "slurm"),
            *QUICK_STATUS,
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    logs = "\n".join(
        (slurm_cluster / name).read_text()[-3000:]
        for name in ("slurmctld.log", "slurmd.log")
        if (slurm_cluster / name).exists()
    )
    assert cluster.returncode == 0, f"{cluster.stderr[-4000:]}\n--- scheduler logs\n{logs}"
    new_jobs = [(job, state) for job, state in slurm_jobs() if job not in before]
    local_dir = deploy(root / "local")
    local = subprocess.run(
        [SNAKEMAKE, *targets, "-s", str(REPO / "Snakefile"), "-d", str(local_dir), "--cores", "2"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert local.returncode == 0, local.stderr[-3000:]
    return cluster_dir, local_dir, cluster.stdout + cluster.stderr, new_jobs


def test_workflow_on_slurm_equals_local_run(runs):
    cluster_dir, local_dir, output, new_jobs = runs
    # every rule job went through the scheduler and completed there
    rules = set(re.findall(r"^(?:local)?rule (\w+):", output, re.M))
    assert {
        "prepare_network",
        "prepare_cohort",
        "evaluate_representation",
        "summarize_cancer",
        "summarize_benchmark",
        "build_influence_graph",
        "cluster_subsamples",
        "build_consensus",
    } <= rules
    slurm_logs = cluster_dir / ".snakemake" / "slurm_logs"
    assert sorted(p.name for p in slurm_logs.iterdir()) == sorted(f"rule_{rule}" for rule in rules)
    assert len(new_jobs) >= len(rules), new_jobs
    assert all(state == "COMPLETED" for _, state in new_jobs), new_jobs
    for name in BENCHMARK_TABLES:
        on_cluster = pd.read_csv(cluster_dir / "results" / "benchmark" / name, sep="\t")
        on_laptop = pd.read_csv(local_dir / "results" / "benchmark" / name, sep="\t")
        drop = [c for c in ("fit_seconds",) if c in on_cluster.columns]
        pd.testing.assert_frame_equal(on_cluster.drop(columns=drop), on_laptop.drop(columns=drop))


def test_stratification_subsamples_fan_out_on_slurm(runs):
    """Each batch of subsamples is its own SLURM job; the consensus equals a local run's."""
    cluster_dir, local_dir, _, _ = runs
    batch_logs = list((cluster_dir / ".snakemake" / "slurm_logs" / "rule_cluster_subsamples").rglob("*.log"))
    assert len(batch_logs) == 4  # 2 batches x 2 representations, one SLURM job each
    for table in STRATIFICATION_TABLES:
        pd.testing.assert_frame_equal(
            pd.read_csv(cluster_dir / table, sep="\t"), pd.read_csv(local_dir / table, sep="\t")
        )
