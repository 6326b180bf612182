import subprocess
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))

from helpers import REPO, SNAPSHOT, LoopbackServer
from threadpoolctl import threadpool_limits

# Modules that take longest, mostly waiting on a scheduler or running Snakemake: collected first, so that with
# `make test` (pytest-xdist, one module per worker at a time) they start at once and the quick ones fill the gaps.
SLOW_MODULES = (
    "test_slurm.py",
    "test_workflow.py",
    "test_workflow_inputs.py",
    "test_workflow_pancanatlas.py",
    "test_stratification.py",
    "test_fidelity.py",
    "test_pynbs_reference.py",
    "test_workflow_data_safety.py",
    "test_pooled_workflow.py",
)


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        name = item.path.name
        return SLOW_MODULES.index(name) if name in SLOW_MODULES else len(SLOW_MODULES)

    items.sort(key=rank)  # stable: each module keeps its own order


@pytest.fixture(scope="session", autouse=True)
def one_thread_per_worker():
    """One BLAS and OpenMP thread in each test process: `make test` runs one pytest worker per core, beside the
    Snakemake jobs some tests start, so threaded BLAS only oversubscribes the cores (its idle threads spin). The
    libraries are loaded first so that the limit reaches them all (numpy's and scipy's OpenBLAS, scikit-learn's
    OpenMP); the workflow's jobs, separate processes, keep their own limit (their rule's `threads`)."""
    import scipy.linalg  # noqa: F401
    import sklearn.cluster  # noqa: F401

    with threadpool_limits(limits=1):
        yield


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def gbm_stratification_config() -> dict:
    """GBM on STRING's edges of score 950 or more (6,670 genes, so that the influence graph takes seconds): NBS and
    raw, 4 subsamples in 2 jobs."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config.update(
        snapshot_dir=str(SNAPSHOT),
        cancer_types=["GBM"],
        networks={**config["networks"], "use": ["string"], "main": "string", "string": {"min_score": 950}},
    )
    config["stratification"].update(
        representations=["nbs", "raw"],
        ks=[2, 3],
        subsamples=4,
        subsamples_per_job=2,
        max_iter=30,
        simulation={"cancer": "GBM", "fractions": [0.0, 0.2], "module_sizes": [20], "seeds": 1, "subsamples": 3},
    )
    return config


GBM_STRATIFICATION_TARGETS = [
    "results/report/stratification/model_selection/GBM.png",
    "results/report/stratification/simulation.png",
    "results/stratification/summary.tsv",
] + [
    f"results/report/stratification/{figure}/GBM_{name}.png"
    for figure in ("consensus", "kaplan_meier", "signatures")
    for name in ("nbs", "raw")
]


@pytest.fixture(scope="session")
def gbm_stratification(tmp_path_factory):
    """One local run of the stratification stage on GBM, with the planted-module simulation."""
    workdir = tmp_path_factory.mktemp("gbm_stratification")
    config = gbm_stratification_config()
    (workdir / "config").mkdir()
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    snakemake = str(Path(sys.executable).parent / "snakemake")
    run = subprocess.run(
        [snakemake, "-s", str(REPO / "Snakefile"), "-d", str(workdir), "--cores", "2", *GBM_STRATIFICATION_TARGETS],
        capture_output=True,
        text=True,
        timeout=900,
    )
    return workdir, config, run
