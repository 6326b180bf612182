"""The workflow end to end on the snapshot: benchmark, report, reruns (and the helpers of the other workflow tests)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import (
    REPO,
    SNAPSHOT,
)

pytestmark = pytest.mark.workflow
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
TYPES = ["GBM", "KIRC"]
# A reduced benchmark: the data-path tests only need it to run; test_benchmark_stage checks its output.
SMALL_BENCHMARK = {
    "representations": ["mutation_count", "netnorm", "netnorm_permuted"],
    "clinical": True,
    "outer_repeats": 1,
    "inner_folds": 3,
    "netnorm_k": [50, 100],
    "penalties": {"n": 4, "min_ratio": 0.1},
    "comparisons": [["netnorm", "mutation_count"]],
}


def deploy(workdir: Path, **overrides) -> Path:
    """Put a config/config.yaml in `workdir`, as a user deploying the workflow does."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config.update(snapshot_dir=str(SNAPSHOT), cancer_types=TYPES, benchmark=SMALL_BENCHMARK)
    config["stratification"] = {**config["stratification"], "enabled": False}  # tested in test_stratification.py
    config.update(overrides)
    (workdir / "config").mkdir(parents=True, exist_ok=True)
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    return workdir


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(workdir), "--cores", "2", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def snapshot_run(tmp_path_factory):
    workdir = deploy(tmp_path_factory.mktemp("snapshot"))
    result = snakemake(workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir


COHORT_TARGETS = ("results/cohorts/summary.tsv", "results/cohorts/networks.tsv")


def test_benchmark_stage(snapshot_run):
    """A small real-data run: 2 cancer types, NetNorM vs mutation count, clinical and combinations."""
    folds = pd.read_csv(snapshot_run / "results/benchmark/folds.tsv", sep="\t")
    expected = {
        "mutation_count",
        "netnorm",
        "netnorm_permuted",
        "clinical",
        "mutation_count+clinical",
        "netnorm+clinical",
        "netnorm_permuted+clinical",
    }
    assert set(folds["representation"]) == expected
    assert (folds.groupby(["cancer", "representation"]).size() == 5).all()  # 5 outer folds x 1 repeat
    assert folds["harrell_c"].between(0, 1).all() and folds["uno_c"].notna().mean() > 0.9
    netnorm = folds[folds["representation"] == "netnorm"]
    assert set(netnorm["parameter_value"]) <= {50, 100}
    summary = pd.read_csv(snapshot_run / "results/benchmark/summary.tsv", sep="\t").set_index(
        ["cancer", "representation"]
    )
    # age and stage are prognostic in KIRC: the clinical model must beat chance clearly
    assert summary.loc[("KIRC", "clinical"), "harrell_c_mean"] > 0.6
    tests = pd.read_csv(snapshot_run / "results/benchmark/paired_tests.tsv", sep="\t")
    configured = tests[tests["first"] == "netnorm"]
    assert list(configured["scope"]) == [*TYPES, "pan-cancer"] and tests["p_value"].between(0, 1).all()
    assert (tests["q_value"] >= tests["p_value"]).all() and (configured["df"].iloc[:2] == 4).all()  # 5 folds
    assert configured["note"].iloc[-1] == "cannot reach p < 0.05 with 2 cancer type(s)"
    # each combination against clinical alone, in the same Benjamini-Hochberg family
    combined = tests[tests["second"] == "clinical"]
    assert sorted(combined["first"].unique()) == [f"{n}+clinical" for n in sorted(SMALL_BENCHMARK["representations"])]
    assert len(combined) == 3 * 3 and len(tests) == 4 * 3
    from scipy.stats import false_discovery_control

    np.testing.assert_allclose(tests["q_value"], false_discovery_control(tests["p_value"], method="bh"))
    # one Uno truncation time per cancer type: the 0.8 quantile of its follow-up
    for cancer in TYPES:
        patients = pd.read_csv(snapshot_run / f"results/cohorts/{cancer}/patients.tsv", sep="\t")
        taus = folds.loc[folds["cancer"] == cancer, "uno_tau_days"].unique()
        assert taus == pytest.approx([np.quantile(patients["time_days"], 0.8)])
    edges = pd.read_csv(snapshot_run / "results/benchmark/grid_edges.tsv", sep="\t").set_index(
        ["cancer", "representation"]
    )
    edge_counts = netnorm.groupby("cancer")["parameter_edge"].apply(lambda s: int((s == "lowest").sum()))
    assert edges.loc[("GBM", "netnorm"), "parameter_lowest"] == edge_counts["GBM"]
    coefficients = pd.read_csv(snapshot_run / "results/benchmark/KIRC/coefficients.tsv", sep="\t")
    assert (
        coefficients.query("representation == 'netnorm'")["feature"]
        .isin(pd.read_csv(snapshot_run / "results/networks/pathway_commons/genes.txt", header=None)[0])
        .all()
    )


def test_report_figures_and_summary(snapshot_run):
    from PIL import Image

    report = snapshot_run / "results" / "report"
    figures = [
        "cohort_overview",
        "cindex",
        "hyperparameters",
        "burden",
        "pan_cancer",
        *(f"kaplan_meier/{c}" for c in TYPES),
        *(f"selected_genes/{c}" for c in TYPES),
    ]
    for name in figures:
        with Image.open(report / f"{name}.png") as image:
            assert image.size[0] > 500 and image.size[1] > 300
        assert (report / f"{name}.svg").read_text().lstrip().startswith("<?xml")
    summary = (snapshot_run / "results" / "summary.md").read_text()
    assert "| GBM |" in summary and "NetNorM" in summary and "q_value" in summary
    result = subprocess.run(
        [
            SNAKEMAKE,
            "-s",
            str(REPO / "Snakefile"),
            "-d",
            str(snapshot_run),
            "--report",
            str(snapshot_run / "results" / "report.html"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    html = (snapshot_run / "results" / "report.html").read_text(errors="ignore")
    assert "Kaplan-Meier" in html and "cindex.png" in html and "Pan-cancer" in html
    assert "What was run" in html and "configuration sha256" in html  # the landing page describes the study
    assert "System Message" not in html  # no reStructuredText warning in any caption or the landing page


def test_report_renders_in_headless_chromium(snapshot_run, tmp_path):
    """The checked screenshot script opens the landing, C-index, pan-cancer and Kaplan-Meier pages of the report."""
    import shutil

    from PIL import Image

    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        if os.environ.get("CI"):
            pytest.fail("CI installs Debian's chromium and chromium-driver (.ci/run); they are missing")
        pytest.skip("needs Debian's chromium and chromium-driver")
    report = snapshot_run / "results" / "report.html"
    if not report.exists():
        assert snakemake(snapshot_run, "--report", str(report)).returncode == 0
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts/report/screenshot_report.py"), str(report), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for name in ("landing", "cindex", "pan_cancer", "kaplan_meier"):
        with Image.open(tmp_path / f"{name}.png") as image:
            pixels = np.asarray(image.convert("L"))
        assert pixels.shape[1] == 1400 and pixels.std() > 20  # a rendered page, not a blank one


def test_report_of_another_configuration_is_refused(snapshot_run):
    """--report with other options than the run's would mix two runs' files: refused, saying what differs."""
    result = snakemake(snapshot_run, "--report", "other.html", "--config", "cancer_types=[GBM]")
    message = result.stdout + result.stderr
    assert result.returncode != 0 and not (snapshot_run / "other.html").exists()
    assert "results/run.json records a run of another configuration" in message, message[-2000:]
    assert "cancer_types ['GBM', 'KIRC'] (now ['GBM'])" in message
    assert "pass the run's options to --report" in message


def test_editing_package_code_reruns_exactly_the_jobs_that_run_it(snapshot_run, tmp_path):
    """A copy of the workflow, identical but for one edited module of pancan.models: the evaluation jobs (and
    what reads their tables) rerun, the cohorts and networks, which never import pancan.models, do not."""
    import shutil

    copy = tmp_path / "pancan"
    for part in ("src", "scripts", "workflow", "config"):
        shutil.copytree(REPO / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "Snakefile", copy / "Snakefile")

    def dry_run() -> dict[str, int]:
        result = subprocess.run(
            [SNAKEMAKE, "-s", str(copy / "Snakefile"), "-d", str(snapshot_run), "--cores", "2", "-n"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return job_counts(result.stdout + result.stderr)

    assert dry_run() == {}  # the same code, byte for byte: nothing to do
    module = copy / "src" / "pancan" / "models" / "survival_svm.py"
    module.write_text(module.read_text() + "\n# an edit\n")
    jobs = dry_run()
    # mutation_count, netnorm, netnorm_permuted and clinical in 2 cancer types, 1 repeat; their summaries
    assert jobs["evaluate_representation"] == 8 and jobs["summarize_cancer"] == 2, jobs
    assert jobs["summarize_benchmark"] == 1 and jobs["write_report_landing"] == 1, jobs
    assert not {"prepare_cohort", "prepare_network", "summarize_cohorts", "randomize_network"} & set(jobs), jobs


def job_counts(output: str) -> dict[str, int]:
    """Snakemake's 'Job stats' table from a dry run."""
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", output, re.MULTILINE)}


def test_changing_one_grid_reruns_only_its_jobs(snapshot_run):
    config_path = snapshot_run / "config" / "config.yaml"
    original = config_path.read_text()
    try:
        config = yaml.safe_load(original)
        config["benchmark"]["netnorm_k"] = [50, 150]
        config_path.write_text(yaml.safe_dump(config))
        result = snakemake(snapshot_run, "-n")
        jobs = job_counts(result.stdout + result.stderr)
        # netnorm and netnorm_permuted for 2 cancer types x 1 repeat; their summaries; nothing else
        assert jobs["evaluate_representation"] == 4
        assert jobs["summarize_cancer"] == 2 and "prepare_cohort" not in jobs
        config["benchmark"] = {
            **config["benchmark"],
            "netnorm_k": [50, 100],
            "representations": ["mutation_count", "netnorm", "netnorm_permuted", "raw_network"],
        }
        config_path.write_text(yaml.safe_dump(config))
        jobs = job_counts(snakemake(snapshot_run, "-n").stdout)
        assert jobs["evaluate_representation"] == 2  # only the new representation
    finally:
        config_path.write_text(original)


def test_rerun_does_nothing(snapshot_run):
    result = snakemake(snapshot_run, "-n")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def test_longest_evaluation_jobs_come_first(snapshot_run):
    """An evaluation job's priority is its grid's size (NetNorM's k values), the randomised networks' 1000."""
    result = snakemake(snapshot_run, "-n", "-R", "evaluate_representation", "randomize_network")
    assert result.returncode == 0, result.stderr[-3000:]
    priorities: dict[str, set[int]] = {}
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", result.stdout):
        rule = re.match(r"(?:local)?rule (\w+):", block)
        priority = re.search(r"^\s+priority: (\d+)$", block, re.MULTILINE)
        if rule is None or priority is None or rule.group(1) not in ("evaluate_representation", "randomize_network"):
            continue
        representation = re.search(r"representation=(\w+)", block)
        name = representation.group(1) if representation else rule.group(1)
        priorities.setdefault(name, set()).add(int(priority.group(1)))
    k_values = len(SMALL_BENCHMARK["netnorm_k"])
    assert priorities == {
        "netnorm": {k_values},
        "netnorm_permuted": {k_values},
        "mutation_count": {1},
        "clinical": {1},
        "randomize_network": {1000},
    }


def test_repeats_in_one_job_give_the_tables_of_one_job_per_repeat(tmp_path):
    """benchmark.job_per_repeat: false (the laptop's) and true (the cluster's) give the same tables."""
    benchmark = {
        **SMALL_BENCHMARK,
        "representations": ["netnorm"],
        "comparisons": [],
        "clinical": False,
        "outer_repeats": 2,
        "netnorm_k": [30, 100],
    }
    runs = {}
    for per_repeat in (False, True):
        workdir = deploy(
            tmp_path / f"per_repeat_{per_repeat}",
            cancer_types=["KIRC"],
            networks={"use": ["string"], "main": "string"},
            benchmark={**benchmark, "job_per_repeat": per_repeat},
        )
        result = snakemake(workdir, "results/benchmark/KIRC/folds.tsv")
        assert result.returncode == 0, result.stderr[-3000:]
        jobs = len(list((workdir / "logs" / "benchmark").glob("evaluate_representation_*.log")))
        assert jobs == (2 if per_repeat else 1)
        runs[per_repeat] = workdir / "results" / "benchmark" / "KIRC"
    for name in ("folds.tsv", "predictions.tsv", "coefficients.tsv", "netnorm/repeat1_inner.tsv"):
        grouped, fanned = (pd.read_csv(runs[mode] / name, sep="\t") for mode in (False, True))
        drop = [c for c in ("fit_seconds",) if c in grouped.columns]
        pd.testing.assert_frame_equal(grouped.drop(columns=drop), fanned.drop(columns=drop))
    assert len(pd.read_csv(runs[False] / "folds.tsv", sep="\t")) == 2 * 5  # 2 repeats x 5 outer folds


def test_readme_notebook_lines_give_the_workflows_fold(snapshot_run):
    """The README's notebook example, run as written (KIRC instead of LUAD), equals the workflow's fold."""
    readme = (REPO / "README.md").read_text()
    code = next(
        block for block in re.findall(r"```python\n(.*?)```", readme, re.DOTALL) if "benchmark_search(" in block
    )
    namespace: dict = {}
    cwd = os.getcwd()
    try:
        os.chdir(snapshot_run)
        exec(compile(code.replace('"LUAD"', '"KIRC"').replace("/LUAD", "/KIRC"), "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    split, search, risk = namespace["split"], namespace["search"], namespace["risk"]  # noqa: F841 (split: in query)
    predictions = pd.read_csv(snapshot_run / "results/benchmark/KIRC/predictions.tsv", sep="\t")
    fold = predictions.query("representation == 'netnorm' and repeat == 0 and fold == @split.fold")
    np.testing.assert_allclose(fold["risk"].to_numpy(), risk, rtol=1e-12, atol=1e-15)  # machine precision
    row = (
        pd.read_csv(snapshot_run / "results/benchmark/KIRC/folds.tsv", sep="\t")
        .query("representation == 'netnorm' and repeat == 0 and fold == @split.fold")
        .iloc[0]
    )
    assert row["parameter_value"] == search.best_params_["representation__k"]
    assert row["penalty"] == pytest.approx(search.best_path_value_, rel=1e-12)
