"""Where the workflow's data comes from, and bad input: the data stage alone, download and local paths end to end,
config errors, failed and interrupted runs, the README's recipes."""

import hashlib
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import (
    REPO,
    cbioportal_study_files,
    pathway_commons_extended_sif_gz,
    string_download_files,
    study_archive,
)
from test_workflow import COHORT_TARGETS, SMALL_BENCHMARK, SNAKEMAKE, TYPES, deploy, job_counts, snakemake

from pancan.data.cohort import Cohort

pytestmark = pytest.mark.workflow


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
        networks={"use": ["string"], "main": "string"},
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
    unchanged = snakemake(workdir, "-n", target)
    assert "Nothing to be done" in unchanged.stdout + unchanged.stderr
    time.sleep(1.1)
    folds.assign(fold=(folds["fold"] + 1) % 5).to_csv(folds_file, sep="\t", index=False)  # another assignment
    again = snakemake(workdir, "-n", target)
    jobs = job_counts(again.stdout)
    assert jobs.get("evaluate_representation") == 1 and "prepare_cohort" not in jobs
    assert "updated input files" in again.stdout + again.stderr
