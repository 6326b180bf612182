"""data_source local: cBioPortal-format studies on disk, imported from folders or archives and pinned."""

import json
import re

import pandas as pd
import pytest
from helpers import SNAPSHOT, STUDY_ES_0, cbioportal_study_files, study_archive, tar_gz

from pancan.data.cancer_types import CancerTypeError, cbioportal_selection, local_selection, snapshot_selection
from pancan.data.cohort import build_cohort
from pancan.data.cohort_inputs import cbioportal_inputs, snapshot_inputs
from pancan.data.local_studies import (
    discover_studies,
    import_study,
    study_files,
    study_label,
    study_location,
    study_origin,
)
from pancan.data.manifest import sha256_file
from pancan.data.mutation_calls import NON_SILENT_CLASSES
from pancan.errors import ChecksumMismatchError, InputFileError

ROLES = ("mutations", "clinical_patient", "clinical_sample")
PREFERENCE = ["01", "03", "05", "02", "06", "07"]


def outputs(folder):
    return {role: folder / f"{role}.txt" for role in ROLES}


def write_folder(folder, files):
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder


def test_folder_and_archive_import_the_same_bytes_and_share_a_pin(tmp_path):
    files = cbioportal_study_files("GBM")
    folder = write_folder(tmp_path / "gbm_study", files)
    archive = tmp_path / "gbm.tar.gz"
    archive.write_bytes(study_archive("GBM", files))
    locks = tmp_path / "locks"
    record = import_study(folder, outputs(tmp_path / "a"), locks, "GBM")
    lock = locks / "local_gbm_tcga_pan_can_atlas_2018.json"  # keyed by the study, from meta_study.txt
    assert (tmp_path / "a" / "mutations.txt").read_bytes() == files["data_mutations.txt"]
    pinned = json.loads(lock.read_text())
    assert sorted(p.name for p in locks.iterdir()) == [lock.name]
    assert pinned["source"] == str(folder) and pinned["study"] == "gbm_tcga_pan_can_atlas_2018"
    assert pinned["files"]["clinical_sample"]["sha256"] == sha256_file(folder / "data_clinical_sample.txt")
    # the same study packed as an archive matches the pin
    again = import_study(archive, outputs(tmp_path / "b"), locks, "GBM")
    assert again["files"] == record["files"]
    # older member names (study_es_0) are found in a folder too
    assert study_files(STUDY_ES_0)["mutations"].endswith("data_mutations_extended.maf")


def test_changed_study_is_refused_against_its_pin(tmp_path):
    files = cbioportal_study_files("GBM")
    folder = write_folder(tmp_path / "gbm_study", files)
    import_study(folder, outputs(tmp_path / "a"), tmp_path, "GBM")
    (folder / "data_clinical_patient.txt").write_bytes(
        files["data_clinical_patient.txt"].replace(b"1:DECEASED", b"0:LIVING", 1)
    )
    with pytest.raises(
        ChecksumMismatchError,
        match="gbm_study: the clinical_patient file changed since .*local_gbm_tcga_pan_can_atlas_2018.json was "
        r"written .*To accept the new version: delete .*local_gbm_tcga_pan_can_atlas_2018.json and run the same "
        r"command again",
    ):
        import_study(folder, outputs(tmp_path / "b"), tmp_path, "GBM")
    assert not any(p.exists() for p in outputs(tmp_path / "b").values())


def test_bad_local_studies_are_named(tmp_path):
    with pytest.raises(InputFileError, match="nowhere: local study not found"):
        study_files(tmp_path / "nowhere")
    folder = write_folder(tmp_path / "partial", {"data_clinical_patient.txt": b"PATIENT_ID\n"})
    with pytest.raises(
        InputFileError,
        match="partial: study folder lacks mutations: one of data_mutations.txt.*; "
        "clinical_sample: one of data_clinical_sample.txt",
    ):
        study_files(folder)
    (tmp_path / "study.zip").write_bytes(b"PK")
    with pytest.raises(InputFileError, match="study.zip: a local study must be a folder or an archive"):
        study_files(tmp_path / "study.zip")
    with pytest.raises(CancerTypeError, match="local.studies: no study for cancer type BRCA"):
        study_location("BRCA", {"LUAD": "x"}, "")
    assert study_location("BRCA", {"LUAD": "x"}, "data/{cancer_lower}_tcga") == "data/brca_tcga"


def test_studies_are_discovered_from_the_pattern(tmp_path):
    for name in ["luad_tcga_pan_can_atlas_2018", "gbm_tcga_pan_can_atlas_2018", "notes"]:
        (tmp_path / name).mkdir()
    pattern = str(tmp_path / "{cancer_lower}_tcga_pan_can_atlas_2018")
    assert discover_studies({"MYSTUDY": "elsewhere"}, pattern) == ["GBM", "LUAD", "MYSTUDY"]
    assert local_selection([], discover_studies({}, pattern)) == ["GBM", "LUAD"]
    with pytest.raises(CancerTypeError, match="data_source local: no study found"):
        local_selection([], [])


def test_non_tcga_study_takes_patients_from_the_sample_file(tmp_path):
    """GBM relabelled as a non-TCGA study (samples S0001.., patients P0001.. unrelated by name) gives GBM's cohort."""
    root = SNAPSHOT / "tcga" / "GBM"
    files = cbioportal_study_files("GBM")
    calls = pd.read_csv(root / "mutations.tsv.gz", sep="\t", dtype=str)
    survival = pd.read_csv(root / "survival.tsv", sep="\t", dtype=str)
    patients = sorted(set(calls["patient_id"]) | set(survival["patient_id"]))
    patient_of = {p: f"P{i:04d}" for i, p in enumerate(patients)}
    sample_of = {p: f"S{len(patients) - i:04d}" for i, p in enumerate(patients)}  # opposite order to the patients
    text = {name: content.decode() for name, content in files.items()}
    for old in patients:
        text["data_mutations.txt"] = text["data_mutations.txt"].replace(f"{old}-01", sample_of[old])
        text["data_clinical_sample.txt"] = text["data_clinical_sample.txt"].replace(
            f"{old}\t{old}-01", f"{patient_of[old]}\t{sample_of[old]}"
        )
        text["data_clinical_patient.txt"] = text["data_clinical_patient.txt"].replace(
            f"\n{old}\t", f"\n{patient_of[old]}\t"
        )
    folder = write_folder(tmp_path / "study", {name: content.encode() for name, content in text.items()})
    import_study(folder, outputs(tmp_path / "in"), tmp_path / "locks", "MYGBM")
    inputs = cbioportal_inputs(*(tmp_path / "in" / f"{role}.txt" for role in ROLES))
    cohort, _ = build_cohort(
        "MYGBM",
        inputs.calls,
        inputs.survival,
        inputs.clinical,
        classes=NON_SILENT_CLASSES,
        sample_preference=PREFERENCE,
        sample_to_patient=inputs.sample_to_patient,
    )
    snapshot = snapshot_inputs(root / "mutations.tsv.gz", root / "survival.tsv", root / "clinical.tsv")
    reference, _ = build_cohort(
        "GBM",
        snapshot.calls,
        snapshot.survival,
        snapshot.clinical,
        classes=NON_SILENT_CLASSES,
        sample_preference=PREFERENCE,
    )
    expected = (
        reference.patients.assign(
            sample_id=reference.patients["patient_id"].map(sample_of),
            patient_id=reference.patients["patient_id"].map(patient_of),
        )
        .sort_values("patient_id")
        .reset_index(drop=True)
    )
    assert cohort.patients["patient_id"].tolist() == expected["patient_id"].tolist()
    assert cohort.patients["sample_id"].tolist() == expected["sample_id"].tolist()
    assert cohort.patients["event"].tolist() == expected["event"].tolist()
    assert cohort.patients["n_mutations"].tolist() == expected["n_mutations"].tolist()
    assert cohort.mutations.nnz == reference.mutations.nnz and cohort.genes.tolist() == reference.genes.tolist()


def test_cancer_type_selection_names_the_problem():
    with pytest.raises(CancerTypeError, match=r"cancer_types \['XYZ'\]: not TCGA cancer type codes"):
        snapshot_selection(["XYZ"], ["GBM", "LUAD"])
    with pytest.raises(
        CancerTypeError,
        match=r"cancer_types \['SKCM'\]: the bundled snapshot has no mutation calls for this "
        r"type \(it has GBM, LUAD\); use data_source: cbioportal",
    ):
        snapshot_selection(["SKCM"], ["GBM", "LUAD"])
    default = "{cancer_lower}_tcga_pan_can_atlas_2018"
    with pytest.raises(CancerTypeError, match="the datahub has no study xyz_tcga_pan_can_atlas_2018"):
        cbioportal_selection(["XYZ"], [], default, default)
    assert cbioportal_selection(["MYSTUDY"], [], "{cancer_lower}_custom", default) == ["MYSTUDY"]
    assert cbioportal_selection([], ["LUAD", "COADREAD"], default, default) == ["LUAD", "COADREAD"]


def test_a_study_pattern_that_matches_nothing_is_shown(tmp_path):
    pattern = str(tmp_path / "{cancer_lower}_tcga.tar.gz")
    assert discover_studies({}, pattern) == []
    with pytest.raises(
        CancerTypeError,
        match=rf"^data_source local: local.study_pattern '{re.escape(pattern)}' matches no folder or archive",
    ):
        local_selection([], discover_studies({}, pattern), pattern)
    origin = study_origin("GBM", {}, pattern)
    with pytest.raises(
        InputFileError,
        match=rf"gbm_tcga.tar.gz: local study not found \(local.study_pattern '{re.escape(pattern)}'; an absolute path\)$",
    ):
        study_files(study_location("GBM", {}, pattern), origin)
    assert study_origin("GBM", {"GBM": "x"}, pattern) == "local.studies.GBM"


def test_a_study_without_meta_study_is_keyed_by_its_name(tmp_path):
    """No meta_study.txt: the lock takes the folder's name, or the archive's inner folder, or the archive's name."""
    files = {name: data for name, data in cbioportal_study_files("GBM").items() if name != "meta_study.txt"}
    folder = write_folder(tmp_path / "My GBM study", files)
    record = import_study(folder, outputs(tmp_path / "a"), tmp_path / "locks", "GBM")
    assert record["study"] == "My_GBM_study"
    (tmp_path / "flat.tar.gz").write_bytes(tar_gz(files))
    import_study(tmp_path / "flat.tar.gz", outputs(tmp_path / "b"), tmp_path / "locks", "GBM")
    (tmp_path / "nested.tgz").write_bytes(study_archive("GBM", files))
    import_study(tmp_path / "nested.tgz", outputs(tmp_path / "c"), tmp_path / "locks", "GBM")
    assert sorted(p.name for p in (tmp_path / "locks").iterdir()) == [
        "local_My_GBM_study.json",
        "local_flat.json",
        "local_gbm_tcga_pan_can_atlas_2018.json",
    ]


CASE_LIST = STUDY_ES_0 / "case_lists" / "cases_sequenced.txt"


def with_case_list(files, case_list=None):
    """The study's files plus case_lists/cases_sequenced.txt (study_es_0's, byte-exact, unless given)."""
    return {**files, "case_lists/cases_sequenced.txt": case_list if case_list is not None else CASE_LIST.read_bytes()}


def test_case_list_is_imported_and_pinned_with_the_other_files(tmp_path, caplog):
    """A folder's or an archive's case list is copied and pinned; a study without one gives an empty copy."""
    files = with_case_list(cbioportal_study_files("GBM"))
    folder = write_folder(tmp_path / "gbm_study", {})
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    assert study_files(folder)["case_list"] == str(folder / "case_lists" / "cases_sequenced.txt")
    roles = ("mutations", "clinical_patient", "clinical_sample", "case_list")
    targets = {name: {role: tmp_path / name / f"{role}.txt" for role in roles} for name in "abcde"}
    record = import_study(folder, targets["a"], tmp_path / "locks", "GBM")
    assert targets["a"]["case_list"].read_bytes() == CASE_LIST.read_bytes()
    lock = tmp_path / "locks" / "local_gbm_tcga_pan_can_atlas_2018.json"
    assert json.loads(lock.read_text())["files"]["case_list"]["sha256"] == sha256_file(CASE_LIST)
    (tmp_path / "gbm.tar.gz").write_bytes(study_archive("GBM", files))
    assert import_study(tmp_path / "gbm.tar.gz", targets["b"], tmp_path / "locks", "GBM")["files"] == record["files"]
    # an edited case list is refused against the pin, like any other file
    (folder / "case_lists" / "cases_sequenced.txt").write_bytes(CASE_LIST.read_bytes().replace(b"\tTEST_SAMPLE_1", b""))
    with pytest.raises(ChecksumMismatchError, match="gbm_study: the case_list file changed since"):
        import_study(folder, targets["c"], tmp_path / "locks", "GBM")
    # a lock written before case lists were read: the case list is pinned now (the other files still match)
    pinned = json.loads(lock.read_text())
    del pinned["files"]["case_list"]
    lock.write_text(json.dumps(pinned))
    import_study(folder, targets["d"], tmp_path / "locks", "GBM")
    assert json.loads(lock.read_text())["files"]["case_list"]["sha256"] == sha256_file(targets["d"]["case_list"])
    assert "['case_list'] pinned now" in caplog.text
    # no case list: an empty copy (the cohort then takes the MAF's samples), and that absence is pinned too
    (tmp_path / "flat.tar.gz").write_bytes(tar_gz(cbioportal_study_files("OV")))
    import_study(tmp_path / "flat.tar.gz", targets["e"], tmp_path / "locks", "OV")
    assert targets["e"]["case_list"].read_bytes() == b""


def test_coad_and_read_are_read_from_a_local_coadread_study(tmp_path):
    """COAD without a study of its own is read out of the COADREAD study (entry or pattern); with one, from it."""
    pattern = str(tmp_path / "{cancer_lower}_tcga_pan_can_atlas_2018")
    assert study_label("COAD", {}, pattern) == "COAD"  # nothing found: its own label, so the import names the path
    (tmp_path / "coadread_tcga_pan_can_atlas_2018").mkdir()
    assert [study_label(c, {}, pattern) for c in ("COAD", "READ", "LUAD")] == ["COADREAD", "COADREAD", "LUAD"]
    assert discover_studies({}, pattern) == ["COADREAD"]
    assert local_selection([], discover_studies({}, pattern)) == ["COAD", "READ"]
    (tmp_path / "coad_tcga_pan_can_atlas_2018").mkdir()
    assert [study_label(c, {}, pattern) for c in ("COAD", "READ")] == ["COAD", "COADREAD"]
    assert study_label("READ", {"COADREAD": "elsewhere"}, "") == "COADREAD"
    assert study_label("READ", {"READ": "mine", "COADREAD": "elsewhere"}, "") == "READ"
