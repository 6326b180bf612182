"""The Snakemake workflow end to end: snapshot path, download path via a loopback server, errors."""

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import (
    REPO,
    SNAPSHOT,
    cbioportal_study_files,
    pathway_commons_extended_sif_gz,
    string_download_files,
    study_archive,
)

from pancan.data.cohort import Cohort

pytestmark = pytest.mark.workflow
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
TYPES = ["GBM", "KIRC"]
# A reduced benchmark: the data-layer tests only need it to run; test_benchmark_stage checks its output.
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


@pytest.fixture(scope="module")
def snapshot_data(tmp_path_factory):
    """The data stage alone (cohorts, networks, summary), so data-layer tests do not depend on the benchmark."""
    workdir = deploy(tmp_path_factory.mktemp("snapshot_data"))
    result = snakemake(workdir, *COHORT_TARGETS)
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir


def test_snapshot_run_writes_cohorts_and_summary(snapshot_data):
    snapshot_run = snapshot_data
    summary = pd.read_csv(snapshot_run / "results/cohorts/summary.tsv", sep="\t").set_index("cancer")
    # ../shared/data/README.md overlap counts
    assert summary.loc["GBM", ["patients", "deaths"]].tolist() == [279, 218]
    assert summary.loc["KIRC", ["patients", "deaths"]].tolist() == [436, 152]
    assert 0.9 < summary.loc["GBM", "fraction_in_pathway_commons"] < 0.95
    networks = pd.read_csv(snapshot_run / "results/cohorts/networks.tsv", sep="\t").set_index("network")
    assert networks.loc["pathway_commons", "edges"] == 842761
    for cancer in TYPES:
        assert (snapshot_run / f"logs/cohorts/prepare_cohort_{cancer}.log").read_text().count("dropped") > 0
        assert (snapshot_run / f"benchmarks/cohorts/prepare_cohort_{cancer}.tsv").exists()
        dropped = pd.read_csv(snapshot_run / f"results/cohorts/{cancer}/dropped.tsv", sep="\t")
        assert {"stage", "reason", "item", "count"} == set(dropped.columns)


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


def test_repeats_in_one_job_give_the_tables_of_one_job_per_repeat(tmp_path):
    """benchmark.job_per_repeat: false (the laptop's) and true (the cluster's) give the same tables."""
    benchmark = {
        **SMALL_BENCHMARK,
        "representations": ["mutation_count", "netnorm"],
        "clinical": False,
        "outer_repeats": 2,
        "netnorm_k": [30, 100],
    }
    runs = {}
    for per_repeat in (False, True):
        workdir = deploy(tmp_path / f"per_repeat_{per_repeat}", cancer_types=["KIRC"])
        config_path = workdir / "config" / "config.yaml"
        config = yaml.safe_load(config_path.read_text())
        config["networks"]["use"] = ["pathway_commons"]
        config["benchmark"] = {**benchmark, "job_per_repeat": per_repeat}
        config_path.write_text(yaml.safe_dump(config))
        result = snakemake(workdir, "results/benchmark/KIRC/folds.tsv")
        assert result.returncode == 0, result.stderr[-3000:]
        jobs = len(list((workdir / "logs" / "benchmark").glob("evaluate_representation_*.log")))
        assert jobs == (4 if per_repeat else 2)
        runs[per_repeat] = workdir / "results" / "benchmark" / "KIRC"
    for name in ("folds.tsv", "predictions.tsv", "coefficients.tsv", "netnorm/repeat1_inner.tsv"):
        grouped, fanned = (pd.read_csv(runs[mode] / name, sep="\t") for mode in (False, True))
        drop = [c for c in ("fit_seconds",) if c in grouped.columns]
        pd.testing.assert_frame_equal(grouped.drop(columns=drop), fanned.drop(columns=drop))
    assert len(pd.read_csv(runs[False] / "folds.tsv", sep="\t")) == 2 * 2 * 5  # 2 representations x 2 repeats


def same_cohorts(first: Path, second: Path) -> None:
    """Identical cohorts, cancer by cancer, and identical summary tables."""
    for cancer in TYPES:
        a, b = Cohort.load(first / "results/cohorts" / cancer), Cohort.load(second / "results/cohorts" / cancer)
        pd.testing.assert_frame_equal(a.patients, b.patients)
        pd.testing.assert_frame_equal(a.clinical, b.clinical)
        assert a.genes.tolist() == b.genes.tolist() and (a.mutations != b.mutations).nnz == 0
    for name in ["summary.tsv", "networks.tsv"]:
        pd.testing.assert_frame_equal(
            pd.read_csv(first / "results/cohorts" / name, sep="\t"),
            pd.read_csv(second / "results/cohorts" / name, sep="\t"),
        )


def test_download_and_local_paths_end_to_end(server, tmp_path, snapshot_data):
    """cBioPortal-layout archives and publisher network files over HTTP give the snapshot's cohorts; the same
    studies on disk (a folder, an archive) and network files as file:// URLs give exactly the download path's."""
    studies = {cancer: cbioportal_study_files(cancer) for cancer in TYPES}
    for cancer in TYPES:
        server.files[f"/{cancer.lower()}_tcga_pan_can_atlas_2018.tar.gz"] = study_archive(cancer, studies[cancer])
    network_files = {"pc-hgnc.txt.gz": pathway_commons_extended_sif_gz()}
    network_files["links.txt.gz"], network_files["info.txt.gz"] = string_download_files()
    for name, data in network_files.items():
        server.files[f"/{name}"] = data
    server.faults["/pc-hgnc.txt.gz"] = [503]  # one transient failure, retried
    workdir = deploy(
        tmp_path / "download",
        data_source="cbioportal",
        cbioportal={
            "study_id": "{cancer_lower}_tcga_pan_can_atlas_2018",
            "study_url": f"{server.url}/{{study}}.tar.gz",
            "default_cancer_types": TYPES,
        },
        network_urls={
            "pathway_commons": f"{server.url}/pc-hgnc.txt.gz",
            "string_links": f"{server.url}/links.txt.gz",
            "string_info": f"{server.url}/info.txt.gz",
        },
        download={"timeout_seconds": 10, "retries": 2, "backoff_seconds": 0.1, "lock_dir": "locks"},
    )
    result = snakemake(workdir, *COHORT_TARGETS)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(p.name for p in (workdir / "locks").iterdir()) == [
        "cbioportal_gbm_tcga_pan_can_atlas_2018.json",
        "cbioportal_kirc_tcga_pan_can_atlas_2018.json",
        "network_pathway_commons.json",
        "network_string_info.json",
        "network_string_links.json",
    ]
    for cancer in TYPES:
        downloaded = Cohort.load(workdir / "results/cohorts" / cancer)
        bundled = Cohort.load(snapshot_data / "results/cohorts" / cancer)
        assert downloaded.patients["patient_id"].tolist() == bundled.patients["patient_id"].tolist()
        assert downloaded.patients["sample_id"].tolist() == [f"{p}-01" for p in bundled.patients["patient_id"]]
        assert downloaded.patients["event"].tolist() == bundled.patients["event"].tolist()
        # months rounded to 2 decimals: within 0.01 month of the original days
        np.testing.assert_allclose(downloaded.patients["time_days"], bundled.patients["time_days"], atol=0.01 * 30.4375)
        assert downloaded.genes.tolist() == bundled.genes.tolist()
        assert (downloaded.mutations != bundled.mutations).nnz == 0
        assert downloaded.clinical["gender"].tolist() == bundled.clinical["gender"].tolist()
    for name in ["summary.tsv", "networks.tsv"]:
        assert (
            pd.read_csv(workdir / "results/cohorts" / name, sep="\t")
            .drop(columns="median_followup_days", errors="ignore")
            .equals(
                pd.read_csv(snapshot_data / "results/cohorts" / name, sep="\t").drop(
                    columns="median_followup_days", errors="ignore"
                )
            )
        )

    # the same data on disk: GBM a study folder, KIRC an archive, networks as file:// URLs
    data = tmp_path / "data"
    (data / "gbm_study").mkdir(parents=True)
    for name, content in studies["GBM"].items():
        (data / "gbm_study" / name).write_bytes(content)
    (data / "kirc_study.tar.gz").write_bytes(study_archive("KIRC", studies["KIRC"]))
    for name, content in network_files.items():
        (data / name).write_bytes(content)
    local = deploy(
        tmp_path / "local",
        data_source="local",
        cancer_types=[],
        local={
            "studies": {"GBM": str(data / "gbm_study"), "KIRC": str(data / "kirc_study.tar.gz")},
            "networks": "download",
        },
        network_urls={
            "pathway_commons": (data / "pc-hgnc.txt.gz").as_uri(),
            "string_links": (data / "links.txt.gz").as_uri(),
            "string_info": (data / "info.txt.gz").as_uri(),
        },
        download={"lock_dir": "locks"},
    )
    result = snakemake(local, *COHORT_TARGETS)
    assert result.returncode == 0, result.stderr[-3000:]
    same_cohorts(local, workdir)
    lock = yaml.safe_load((local / "locks" / "local_kirc_tcga_pan_can_atlas_2018.json").read_text())
    assert lock["files"]["mutations"]["sha256"] == hashlib.sha256(studies["KIRC"]["data_mutations.txt"]).hexdigest()
    # an edited study is rerun and refused against its pin, naming the file and the lock
    with open(data / "gbm_study" / "data_mutations.txt", "a") as handle:
        handle.write("TP53\t0\tbroad.mit.edu\tGRCh37\tMissense_Mutation\tTCGA-02-0003-01\tnote\n")
    result = snakemake(local, *COHORT_TARGETS)
    assert result.returncode != 0
    log = (local / "logs/download/local_GBM.log").read_text()
    assert "gbm_study: the mutations file changed since locks/local_gbm_tcga_pan_can_atlas_2018.json was written" in log


def test_failed_download_fails_the_workflow_cleanly(server, tmp_path):
    workdir = deploy(
        tmp_path,
        data_source="cbioportal",
        cancer_types=["GBM"],
        networks={"use": ["string"], "main": "string"},
        cbioportal={"study_url": f"{server.url}/{{study}}.tar.gz"},
        download={"timeout_seconds": 5, "retries": 0, "backoff_seconds": 0, "lock_dir": "locks"},
    )
    result = snakemake(workdir, "--until", "download_cbioportal_study")
    assert result.returncode != 0
    log = (workdir / "logs/download/cbioportal_GBM.log").read_text()
    assert "gbm_tcga_pan_can_atlas_2018.tar.gz: HTTP 404" in log
    assert not list((workdir / "results/download/cbioportal/GBM").glob("*.txt"))


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"bogus_key": 1}, "bogus_key: unknown key (allowed here: benchmark, cancer_types,"),
        ({"data_source": "synapse"}, "data_source: 'synapse' is not one of ['snapshot', 'cbioportal', 'local']"),
        (
            {"survival": {"endpoint": "OS", "days_per_month": -1}},
            "survival.days_per_month: -1 is less than or equal to the minimum",
        ),
        ({"cancer_types": ["SKCM"]}, "the bundled snapshot has no mutation calls"),
        ({"cancer_types": ["XYZ"]}, "cancer_types ['XYZ']: not TCGA cancer type codes"),
        (
            {"data_source": "cbioportal", "cancer_types": ["XYZ"]},
            "the datahub has no study xyz_tcga_pan_can_atlas_2018",
        ),
        ({"networks": {"use": ["string"], "main": "pathway_commons"}}, "must be listed in networks.use"),
        ({"data_source": "local", "cancer_types": []}, "data_source local: no study found; list them in local.studies"),
        (
            {"data_source": "local", "cancer_types": [], "local": {"studies": {"LUAD": "/nowhere/luad"}}},
            "/nowhere/luad: local study not found",
        ),
        (
            {"benchmark": {**SMALL_BENCHMARK, "comparisons": [["netnorm", "nsgn"]]}},
            "benchmark.comparisons[0][1]: 'nsgn' is not one of",
        ),
        (
            {"benchmark": {**SMALL_BENCHMARK, "representations": ["netnrom"]}},
            "benchmark.representations[0]: 'netnrom' is not one of",
        ),
        ({"benchmark": {**SMALL_BENCHMARK, "folds_file": "/nowhere/folds.tsv"}}, "/nowhere/folds.tsv"),
    ],
)
def test_bad_config_is_named(tmp_path, overrides, message):
    result = snakemake(deploy(tmp_path, **overrides), "-n")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert message in output
    assert "$schema" not in output and "additionalProperties" not in output  # no schema dump
    assert len(output.splitlines()) < 40


def test_nested_command_line_overrides_are_typed(tmp_path):
    workdir = deploy(tmp_path)
    result = snakemake(
        workdir,
        "-n",
        "--config",
        "download={retries: 1, backoff_seconds: 0.5}",
        "survival={drop_zero_time: true}",
        "benchmark={outer_repeats: 2}",
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_readme_recipe_runs_from_another_folder(tmp_path):
    """README: copy config/config.yaml into <dir>/config/ and run snakemake -s .../Snakefile -d <dir>."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text((REPO / "config" / "config.yaml").read_text())
    result = snakemake(tmp_path, "results/cohorts/GBM/patients.tsv")
    assert result.returncode == 0, result.stderr[-3000:]
    patients = pd.read_csv(tmp_path / "results/cohorts/GBM/patients.tsv", sep="\t")
    assert len(patients) == 279 and patients["event"].sum() == 218  # ../shared/data/README.md: GBM overlap
    assert not (tmp_path / "resources").exists()  # the snapshot was read from the workflow's folder


def test_failed_rule_log_keeps_the_traceback(tmp_path):
    study = tmp_path / "study"
    study.mkdir()
    for name, content in cbioportal_study_files("GBM").items():
        (study / name).write_bytes(content)
    maf = (study / "data_mutations.txt").read_text().replace("\tMissense_Mutation\t", "\t\t")
    maf = maf.replace("\tNonsense_Mutation\t", "\t\t").replace("\tSilent\t", "\t\t")
    for variant_class in {line.split("\t")[4] for line in maf.splitlines()[2:]}:
        maf = maf.replace(f"\t{variant_class}\t", "\t\t")
    (study / "data_mutations.txt").write_text(maf)
    workdir = deploy(
        tmp_path / "run",
        data_source="local",
        cancer_types=["GBM"],
        local={"studies": {"GBM": str(study)}},
        download={"lock_dir": "locks"},
    )
    result = snakemake(workdir, "results/cohorts/GBM/patients.tsv")
    assert result.returncode != 0
    log = (workdir / "logs/cohorts/prepare_cohort_GBM.log").read_text()
    assert "Traceback (most recent call last)" in log
    # an empty class column is blamed on the MAF, not on the clinical file
    assert (
        f"{study}/data_mutations.txt: column Variant_Classification is empty in every row: no call can be classified "
        "(imported as results/local/GBM/data_mutations.txt)" in log
    )


def test_list_rules_describes_the_data_rules():
    result = subprocess.run(
        [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(REPO), "--list-rules"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    described = dict(re.findall(r"^(\w+) \((.+)\)$", result.stdout, re.MULTILINE))
    for rule in [
        "download_cbioportal_study",
        "import_local_study",
        "download_network_file",
        "prepare_network",
        "prepare_cohort",
        "summarize_cohorts",
    ]:
        assert len(described.get(rule, "")) > 30, (rule, result.stdout)


def test_interrupted_run_resumes_as_the_readme_says(tmp_path):
    """README 'After an interruption': --unlock if the directory is locked, then the same command redoes the
    jobs left incomplete (the default profile sets rerun-incomplete)."""
    workdir = deploy(tmp_path, networks={"use": ["pathway_commons"], "main": "pathway_commons"})
    target = "results/networks/pathway_commons/summary.tsv"
    command = [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(workdir), "--cores", "1", target]
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    log = workdir / "logs/networks/prepare_network_pathway_commons.log"
    deadline = time.monotonic() + 60
    while not log.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)  # a killed terminal or node: nothing cleans up
    run.wait(timeout=30)
    assert list((workdir / ".snakemake" / "incomplete").iterdir()), "the job should have been cut off mid-way"
    locked = snakemake(workdir, target)
    assert locked.returncode != 0 and "--unlock" in locked.stdout + locked.stderr
    assert snakemake(workdir, "--unlock").returncode == 0
    resumed = snakemake(workdir, target)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert (workdir / target).exists()


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


def test_editing_the_folds_file_reruns_the_jobs_that_read_it(snapshot_data, tmp_path):
    """benchmark.folds_file is an input of the evaluation jobs: editing the table reruns them."""
    from pancan.benchmark.nested_cv import outer_splits

    patients = pd.read_csv(snapshot_data / "results/cohorts/GBM/patients.tsv", sep="\t")
    splits = outer_splits(patients["event"].to_numpy().astype(bool), 5, 1, seed=3)
    folds = pd.concat(
        [pd.DataFrame({"patient_id": patients["patient_id"].iloc[s.test], "repeat": 0, "fold": s.fold}) for s in splits]
    )
    folds_file = tmp_path / "folds.tsv"
    folds.to_csv(folds_file, sep="\t", index=False)
    workdir = deploy(
        tmp_path / "run",
        cancer_types=["GBM"],
        benchmark={
            **SMALL_BENCHMARK,
            "representations": ["mutation_count"],
            "comparisons": [],
            "clinical": False,
            "folds_file": str(folds_file),
        },
    )
    target = "results/benchmark/GBM/mutation_count/repeat0_metrics.tsv"
    first = snakemake(workdir, target)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "Nothing to be done" in (snakemake(workdir, "-n", target).stdout + snakemake(workdir, "-n", target).stderr)
    time.sleep(1.1)
    folds.assign(fold=(folds["fold"] + 1) % 5).to_csv(folds_file, sep="\t", index=False)  # another assignment
    again = snakemake(workdir, "-n", target)
    jobs = job_counts(again.stdout)
    assert jobs.get("evaluate_representation") == 1 and "prepare_cohort" not in jobs
    assert "updated input files" in again.stdout + again.stderr
