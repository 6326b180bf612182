"""Data safety through Snakemake: a refused change leaves nothing a later run reuses; locks stay with the analysis."""

import shutil

import pandas as pd
import pytest
import yaml
from helpers import REPO, cbioportal_study_files, string_download_files, study_archive
from test_workflow import COHORT_TARGETS, deploy, snakemake

pytestmark = pytest.mark.workflow
STRING_ONLY = {"use": ["string"], "main": "string"}
LOCK = "locks/local_gbm_tcga_pan_can_atlas_2018.json"


def write_study(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder


def patients(workdir):
    return pd.read_csv(workdir / "results/cohorts/GBM/patients.tsv", sep="\t").set_index("patient_id")


def one_death_fewer(files, patient):
    """The study with one deceased patient of the cohort made a survivor."""
    changed = dict(files)
    old = f"\n{patient}\t1:DECEASED\t".encode()
    assert changed["data_clinical_patient.txt"].count(old) == 1
    changed["data_clinical_patient.txt"] = changed["data_clinical_patient.txt"].replace(
        old, old.replace(b"1:DECEASED", b"0:LIVING")
    )
    return changed


def output_of(result):
    return result.stdout + result.stderr


def assert_refused_then_accepted(workdir, rerun_args, log, lock, first):
    """The refused run removed the cohort; a plain rerun is refused again (not 'Nothing to be done'); once the
    lock is deleted, as the message says, the same command rebuilds the cohort from the new data."""
    refused = snakemake(workdir, *COHORT_TARGETS, *rerun_args)
    assert refused.returncode != 0
    text = (workdir / log).read_text()
    assert (
        "Removed results/cohorts/GBM/mutations.npz, results/cohorts/GBM/patients.tsv, results/cohorts/GBM/genes.txt, "
        "results/cohorts/GBM/clinical.tsv, results/cohorts/GBM/endpoints.tsv, results/cohorts/GBM/dropped.tsv, "
        "results/cohorts/summary.tsv (built from "
        f"the pinned version), so no later run reuses them. To accept the new version: delete {lock} and run the "
        "same command again" in text
    )
    assert not (workdir / "results/cohorts/GBM").exists() or not list((workdir / "results/cohorts/GBM").iterdir())
    assert not (workdir / "results/cohorts/summary.tsv").exists()
    again = snakemake(workdir, *COHORT_TARGETS)
    assert again.returncode != 0 and "Nothing to be done" not in output_of(again)
    assert "checksum" in (workdir / log).read_text() or "changed since" in (workdir / log).read_text()
    (workdir / lock).unlink()
    accepted = snakemake(workdir, *COHORT_TARGETS)
    assert accepted.returncode == 0, accepted.stderr[-3000:]
    rebuilt = patients(workdir)
    patient = first[first["event"] == 1].index[0]
    assert rebuilt.loc[patient, "event"] == 0
    assert int(rebuilt["event"].sum()) == int(first["event"].sum()) - 1
    assert rebuilt.index.tolist() == first.index.tolist()


def test_refused_local_study_leaves_nothing_a_later_run_reuses(tmp_path):
    files = cbioportal_study_files("GBM")
    study = write_study(tmp_path / "data" / "gbm_study", files)
    workdir = deploy(
        tmp_path / "run",
        data_source="local",
        cancer_types=["GBM"],
        local={"studies": {"GBM": str(study)}},
        networks=STRING_ONLY,
    )
    result = snakemake(workdir, *COHORT_TARGETS)
    assert result.returncode == 0, result.stderr[-3000:]
    first = patients(workdir)
    assert (workdir / LOCK).exists()  # the default lock_dir is the analysis's own
    changed = one_death_fewer(files, first[first["event"] == 1].index[0])
    (study / "data_clinical_patient.txt").write_bytes(changed["data_clinical_patient.txt"])  # that file alone
    assert_refused_then_accepted(workdir, (), "logs/download/local_GBM.log", LOCK, first)


def test_refused_download_leaves_nothing_a_later_run_reuses(server, tmp_path):
    files = cbioportal_study_files("GBM")
    server.files["/gbm_tcga_pan_can_atlas_2018.tar.gz"] = study_archive("GBM", files)
    links, info = string_download_files()
    server.files["/links.txt.gz"], server.files["/info.txt.gz"] = links, info
    workdir = deploy(
        tmp_path,
        data_source="cbioportal",
        cancer_types=["GBM"],
        networks=STRING_ONLY,
        cbioportal={"study_url": f"{server.url}/{{study}}.tar.gz"},
        network_urls={"string_links": f"{server.url}/links.txt.gz", "string_info": f"{server.url}/info.txt.gz"},
        download={"timeout_seconds": 10, "retries": 0, "backoff_seconds": 0},
    )
    result = snakemake(workdir, *COHORT_TARGETS)
    assert result.returncode == 0, result.stderr[-3000:]
    first = patients(workdir)
    lock = "locks/cbioportal_gbm_tcga_pan_can_atlas_2018.json"
    assert sorted(p.name for p in (workdir / "locks").iterdir()) == [
        "cbioportal_gbm_tcga_pan_can_atlas_2018.json",
        "network_string_info.json",
        "network_string_links.json",
    ]
    # the publisher changes the study; a forced re-download is refused against the pin
    server.files["/gbm_tcga_pan_can_atlas_2018.tar.gz"] = study_archive(
        "GBM", one_death_fewer(files, first[first["event"] == 1].index[0])
    )
    assert_refused_then_accepted(
        workdir, ("--forcerun", "download_cbioportal_study"), "logs/download/cbioportal_GBM.log", lock, first
    )


def test_locks_stay_with_each_analysis(tmp_path):
    """README recipe (-s/-d): two analyses of different GBM studies each pin their own, in their own folder."""
    files = cbioportal_study_files("GBM")
    first = write_study(tmp_path / "data" / "gbm_v1", files)
    changed = dict(files)
    changed["data_mutations.txt"] = b"\n".join(files["data_mutations.txt"].split(b"\n")[:-40]) + b"\n"
    second = write_study(tmp_path / "data" / "gbm_v2", changed)
    runs = {}
    for name, study in [("a", first), ("b", second)]:
        workdir = tmp_path / name
        (workdir / "config").mkdir(parents=True)
        config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
        config.update(
            data_source="local", cancer_types=["GBM"], local={"studies": {"GBM": str(study)}}, networks=STRING_ONLY
        )
        (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config))
        runs[name] = snakemake(workdir, "results/cohorts/GBM/patients.tsv")
        assert runs[name].returncode == 0, runs[name].stderr[-3000:]
        assert sorted(p.name for p in (workdir / "locks").iterdir()) == ["local_gbm_tcga_pan_can_atlas_2018.json"]
    pins = [yaml.safe_load((tmp_path / name / LOCK).read_text()) for name in "ab"]
    assert pins[0]["files"]["mutations"]["sha256"] != pins[1]["files"]["mutations"]["sha256"]
    assert [pin["source"] for pin in pins] == [str(first), str(second)]
    assert not (REPO / "resources" / "locks").exists()  # nothing in the workflow's checkout
    # deleting one analysis's lock leaves the other pinned
    shutil.rmtree(tmp_path / "a" / "locks")
    assert (tmp_path / "b" / LOCK).exists()


def test_failed_cohort_names_the_users_file_and_keeps_its_drop_counts(tmp_path):
    files = cbioportal_study_files("GBM")
    study = write_study(tmp_path / "data" / "gbm_study", files)
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    workdir = deploy(
        tmp_path / "run",
        data_source="local",
        cancer_types=["GBM"],
        local={"studies": {"GBM": str(study)}},
        networks=STRING_ONLY,
        mutations={**config["mutations"], "sample_type_preference": ["06"]},
    )
    result = snakemake(workdir, "results/cohorts/GBM/patients.tsv")
    assert result.returncode != 0
    samples = files["data_mutations.txt"].decode().count("\n") - 2  # '#version' and header lines
    n_samples = len({line.split("\t")[5] for line in files["data_mutations.txt"].decode().splitlines()[2:]})
    assert samples > n_samples > 0
    log = (workdir / "logs/cohorts/prepare_cohort_GBM.log").read_text()
    assert (
        f"{study}/data_mutations.txt: GBM: no sample of the mutation file can be used (tumour sample type not in "
        f"preference list: {n_samples}); sample types found: 01 ({n_samples}); mutations.sample_type_preference is "
        "['06'] (imported as results/local/GBM/data_mutations.txt)" in log
    )
    dropped = pd.read_csv(workdir / "logs/cohorts/prepare_cohort_GBM_dropped.tsv", sep="\t")
    assert dropped["stage"].tolist() == ["samples"] * n_samples
    assert set(dropped["reason"]) == {"tumour sample type not in preference list"}
    assert not (workdir / "results/cohorts/GBM/dropped.tsv").exists()
