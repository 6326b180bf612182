"""The workflow on every TCGA type: 33 types from PanCanAtlas-shaped studies on disk, and COADREAD downloaded once.

The studies are written by scripts/benchmarks/synthetic_pancanatlas.py (a few patients per type). With
cancer_types [all] the types with fewer than survival.min_events events are left out of the benchmark, and the
cohort summary, the report's first page and the run's log say which and why.
"""

import subprocess
import sys

import pandas as pd
import pytest
import yaml
from helpers import REPO, SNAPSHOT, string_download_files, tar_gz
from test_pancanatlas import GENERATOR, plain_cohort
from test_workflow import COHORT_TARGETS, job_counts, snakemake

from pancan.data.cancer_types import TCGA_TYPES

pytestmark = pytest.mark.workflow
MIN_EVENTS = 10
TINY_BENCHMARK = {
    "representations": ["mutation_count"],
    "clinical": False,
    "clinical_comparisons": False,
    "comparisons": [],
    "outer_folds": 3,
    "outer_repeats": 1,
    "inner_folds": 3,
    "penalties": {"n": 3, "min_ratio": 0.1, "max_ratio": 0.9, "C": []},
}


def generate(out, *args):
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out), *args], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return out


def deploy(workdir, **overrides):
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config.update(snapshot_dir=str(SNAPSHOT), benchmark={**config["benchmark"], **TINY_BENCHMARK})
    config["stratification"]["enabled"] = False
    config["networks"] = {**config["networks"], "use": ["pathway_commons"], "main": "pathway_commons"}
    for key, value in overrides.items():
        config[key] = {**config[key], **value} if isinstance(value, dict) else value
    (workdir / "config").mkdir(parents=True, exist_ok=True)
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    return workdir


def folder(studies, cancer):
    return studies / f"{'coadread' if cancer in ('COAD', 'READ') else cancer.lower()}_tcga_pan_can_atlas_2018"


@pytest.fixture(scope="module")
def every_type(tmp_path_factory):
    """A run of cancer_types [all] on 33 local types (fraction 0.05: 8 to 55 patients), cohorts and benchmark."""
    root = tmp_path_factory.mktemp("every_type")
    studies = generate(root / "studies", "--fraction", "0.05", "--seed", "1")
    workdir = deploy(
        root / "run",
        data_source="local",
        cancer_types=["all"],
        local={"study_pattern": str(studies / "{cancer_lower}_tcga_pan_can_atlas_2018")},
        survival={"min_events": MIN_EVENTS},
    )
    result = snakemake(workdir, "results/benchmark/summary.tsv", "results/report/landing.rst")
    assert result.returncode == 0, result.stderr[-3000:]
    return studies, workdir, result.stdout + result.stderr


def test_every_type_runs_and_the_types_left_out_are_named(every_type):
    studies, workdir, output = every_type
    events = {c: sum(e for _, e in plain_cohort(folder(studies, c), c).values()) for c in TCGA_TYPES}
    expected = sorted(c for c, n in events.items() if n >= MIN_EVENTS)
    assert 0 < len(expected) < len(TCGA_TYPES)  # some in, some out
    summary = pd.read_csv(workdir / "results/cohorts/summary.tsv", sep="\t").set_index("cancer")
    assert summary.index.tolist() == TCGA_TYPES
    assert summary["deaths"].to_dict() == events
    assert sorted(summary.index[summary["benchmarked"]]) == expected
    for cancer in sorted(set(TCGA_TYPES) - set(expected)):
        n = events[cancer]
        assert summary.loc[cancer, "note"] == (
            f"left out: {n} OS event{'s' if n != 1 else ''}, fewer than survival.min_events {MIN_EVENTS}"
        )
    for endpoint in ("OS", "DSS", "DFI", "PFI"):
        assert {f"patients_{endpoint}", f"events_{endpoint}"} <= set(summary.columns)
    assert summary.loc["LAML", "events_PFI"] == 0  # TCGA-CDR: LAML has no PFI event
    # the benchmark ran on the benchmarked types only
    folds = pd.read_csv(workdir / "results/benchmark/folds.tsv", sep="\t")
    assert sorted(folds["cancer"].unique()) == expected
    assert sorted(p.name for p in (workdir / "results/benchmark").iterdir() if p.is_dir()) == expected
    # the report's first page, the summary job's log and the run's log name the types left out
    out = [c for c in TCGA_TYPES if c not in expected]
    named = ", ".join(f"{c} ({events[c]} OS event{'s' if events[c] != 1 else ''})" for c in out)
    sentence = (
        f"{len(out)} of 33 types have fewer events of their endpoint than survival.min_events ({MIN_EVENTS}) and "
        f"are left out of the benchmark and the stratification: {named}"
    )
    assert f"- **Left out**: {sentence}." in (workdir / "results/report/landing.rst").read_text()
    assert sentence in (workdir / "logs/cohorts/summarize_cohorts.log").read_text()
    assert sentence in output
    # a complete run has nothing left to do
    again = snakemake(workdir, "-n", "results/benchmark/summary.tsv", "results/report/landing.rst")
    assert "Nothing to be done" in again.stdout + again.stderr, again.stdout[-2000:]


def test_coad_and_read_share_one_import_of_the_combined_study(every_type):
    studies, workdir, _ = every_type
    imported = sorted(p.name for p in (workdir / "results/local").iterdir())
    assert len(imported) == 32 and "COADREAD" in imported and not {"COAD", "READ"} & set(imported)
    assert not (workdir / "logs/download/local_COAD.log").exists()
    patients = pd.read_csv(
        folder(studies, "COAD") / "data_clinical_patient.txt", sep="\t", comment="#", dtype=str
    ).set_index("PATIENT_ID")["CANCER_TYPE_ACRONYM"]
    for cancer, other in (("COAD", "READ"), ("READ", "COAD")):
        cohort = pd.read_csv(workdir / f"results/cohorts/{cancer}/patients.tsv", sep="\t")
        assert cohort["patient_id"].tolist() == sorted(plain_cohort(folder(studies, cancer), cancer))
        dropped = pd.read_csv(workdir / f"results/cohorts/{cancer}/dropped.tsv", sep="\t")
        left_out = dropped[dropped["stage"] == "cancer_type"]
        assert sorted(left_out["item"]) == sorted(patients.index[patients == other])


def test_a_named_type_with_too_few_events_is_an_error_at_its_cohort(every_type, tmp_path):
    """The type closest below survival.min_events, named: an error at its cohort; with min_events lowered, built."""
    studies, _, _ = every_type
    events = {c: sum(e for _, e in plain_cohort(folder(studies, c), c).values()) for c in TCGA_TYPES}
    cancer = max((c for c in TCGA_TYPES if 2 <= events[c] < MIN_EVENTS and c not in ("COAD", "READ")), key=events.get)
    workdir = deploy(
        tmp_path,
        data_source="local",
        cancer_types=[cancer],
        local={"studies": {cancer: str(folder(studies, cancer))}},
        survival={"min_events": MIN_EVENTS},
    )
    result = snakemake(workdir, "results/cohorts/summary.tsv")
    assert result.returncode != 0
    log = (workdir / f"logs/cohorts/prepare_cohort_{cancer}.log").read_text()
    assert f"{cancer}: {events[cancer]} OS events, fewer than survival.min_events {MIN_EVENTS} (" in log
    assert "too few to benchmark or stratify it. Lower survival.min_events" in log
    assert not (workdir / f"results/cohorts/{cancer}/patients.tsv").exists()
    lowered = snakemake(
        workdir, "results/cohorts/summary.tsv", "--config", f"survival={{min_events: {events[cancer]}}}"
    )
    assert lowered.returncode == 0, lowered.stderr[-2000:]
    summary = pd.read_csv(workdir / "results/cohorts/summary.tsv", sep="\t")
    assert summary[["cancer", "deaths", "benchmarked"]].values.tolist() == [[cancer, events[cancer], True]]


def test_coad_and_read_share_one_download_of_coadread(server, tmp_path):
    """cbioportal: cancer_types [COAD, READ] download coadread_tcga_pan_can_atlas_2018 once, pinned once."""
    studies = generate(tmp_path / "studies", "--types", "COAD,READ", "--fraction", "0.2", "--seed", "2")
    study = folder(studies, "COAD")
    members = {f"{study.name}/{p.relative_to(study)}": p.read_bytes() for p in study.rglob("*") if p.is_file()}
    server.files[f"/{study.name}.tar.gz"] = tar_gz(members)
    server.files["/links.txt.gz"], server.files["/info.txt.gz"] = string_download_files()
    workdir = deploy(
        tmp_path / "run",
        data_source="cbioportal",
        cancer_types=["COAD", "READ"],
        cbioportal={"study_url": f"{server.url}/{{study}}.tar.gz"},
        networks={"use": ["string"], "main": "string"},
        network_urls={"string_links": f"{server.url}/links.txt.gz", "string_info": f"{server.url}/info.txt.gz"},
        download={"timeout_seconds": 10, "retries": 0, "backoff_seconds": 0},
        survival={"min_events": 2},
    )
    result = snakemake(workdir, *COHORT_TARGETS)
    assert result.returncode == 0, result.stderr[-3000:]
    assert server.requests.count(f"/{study.name}.tar.gz") == 1
    assert sorted(p.name for p in (workdir / "locks").iterdir()) == [
        "cbioportal_coadread_tcga_pan_can_atlas_2018.json",
        "network_string_info.json",
        "network_string_links.json",
    ]
    assert [p.name for p in (workdir / "results/download/cbioportal").iterdir()] == ["COADREAD"]
    extracted = workdir / "results/download/cbioportal/COADREAD/cases_sequenced.txt"
    assert extracted.read_bytes() == (study / "case_lists" / "cases_sequenced.txt").read_bytes()
    summary = pd.read_csv(workdir / "results/cohorts/summary.tsv", sep="\t").set_index("cancer")
    for cancer in ("COAD", "READ"):
        expected = plain_cohort(study, cancer)
        cohort = pd.read_csv(workdir / f"results/cohorts/{cancer}/patients.tsv", sep="\t")
        assert cohort["patient_id"].tolist() == sorted(expected)
        assert summary.loc[cancer, "deaths"] == sum(e for _, e in expected.values())
    assert job_counts(snakemake(workdir, "-n", *COHORT_TARGETS).stdout) == {}
