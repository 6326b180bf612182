"""Cohort building: hand example, and the real LUAD snapshot against an independent pandas count."""

import numpy as np
import pandas as pd
import pytest
from helpers import SNAPSHOT

from pancan.data.cohort import Cohort, build_cohort
from pancan.data.cohort_inputs import snapshot_inputs
from pancan.errors import InputFileError
from pancan.data.mutation_calls import NON_SILENT_CLASSES

PREFERENCE = ["01", "03", "05", "02", "06", "07"]


def small_inputs():
    calls = pd.DataFrame(
        [
            ("TCGA-AA-0001-01A", "TP53", "Missense_Mutation"),
            ("TCGA-AA-0001-01A", "TP53", "Nonsense_Mutation"),  # same gene twice: binarised
            ("TCGA-AA-0001-01A", "KRAS", "Silent"),  # not selected
            ("TCGA-AA-0001-06A", "EGFR", "Missense_Mutation"),  # other sample of the same patient
            ("TCGA-AA-0002-01A", "KRAS", "Missense_Mutation"),
            ("TCGA-AA-0002-01A", "Unknown", "Missense_Mutation"),  # unknown gene
            ("TCGA-AA-0003-01A", "EGFR", "Frame_Shift_Del"),  # no survival record
            ("TCGA-AA-0005-01A", "BRAF", "Missense_Mutation"),  # negative time
        ],
        columns=["sample_id", "gene", "variant_classification"],
    )
    survival = pd.DataFrame(
        {
            "patient_id": ["TCGA-AA-0001", "TCGA-AA-0002", "TCGA-AA-0004", "TCGA-AA-0005"],
            "time_days": [100.0, 0.0, 50.0, -1.0],
            "event": [1.0, 0.0, 1.0, 0.0],
        }
    )
    clinical = pd.DataFrame({"patient_id": ["TCGA-AA-0002", "TCGA-AA-0001"], "gender": ["male", "female"]})
    return calls, survival, clinical


def test_hand_example():
    calls, survival, clinical = small_inputs()
    cohort, log = build_cohort("TEST", calls, survival, clinical, classes=NON_SILENT_CLASSES, sample_preference=PREFERENCE)
    assert cohort.patients["patient_id"].tolist() == ["TCGA-AA-0001", "TCGA-AA-0002"]
    assert cohort.genes.tolist() == ["KRAS", "TP53"]
    assert cohort.mutations.toarray().tolist() == [[0, 1], [1, 0]]
    assert cohort.patients["n_mutations"].tolist() == [1, 1]
    assert cohort.patients["event"].tolist() == [1, 0]
    assert cohort.clinical["gender"].tolist() == ["female", "male"]  # aligned to patient order
    dropped = log.to_frame()
    by_item = dict(zip(dropped["item"], dropped["reason"]))
    assert by_item["TCGA-AA-0001-06A"] == "another sample of the same patient was preferred"
    assert by_item["TCGA-AA-0003"] == "no survival record"
    assert by_item["TCGA-AA-0004"] == "no selected mutation call"
    assert by_item["TCGA-AA-0005"] == "negative survival time"
    totals = dict(zip(log.totals()["reason"], log.totals()["count"]))
    assert totals["unknown or empty gene symbol"] == 1
    assert totals["variant class not selected: Silent"] == 1
    assert totals["duplicate call of the same gene in the same patient (binarised)"] == 1


def test_nobody_left_is_an_error():
    calls, survival, clinical = small_inputs()
    with pytest.raises(InputFileError, match="no patient has both"):
        build_cohort("TEST", calls, survival.assign(time_days=-1.0), clinical, classes=NON_SILENT_CLASSES,
                     sample_preference=PREFERENCE, survival_path="surv.tsv")


@pytest.fixture(scope="module")
def luad():
    root = SNAPSHOT / "tcga" / "LUAD"
    inputs = snapshot_inputs(root / "mutations.tsv.gz", root / "survival.tsv", root / "clinical.tsv")
    return build_cohort("LUAD", inputs.calls, inputs.survival, inputs.clinical,
                        classes=NON_SILENT_CLASSES, sample_preference=PREFERENCE)


def test_luad_matches_data_readme_and_independent_count(luad):
    cohort, _ = luad
    # ../shared/data/README.md: LUAD overlap 472 patients / 171 deaths
    assert len(cohort.patients) == 472 and cohort.patients["event"].sum() == 171
    root = SNAPSHOT / "tcga" / "LUAD"
    calls = pd.read_csv(root / "mutations.tsv.gz", sep="\t")
    survival = pd.read_csv(root / "survival.tsv", sep="\t")
    pairs = calls[calls["variant_classification"].isin(NON_SILENT_CLASSES)][["patient_id", "gene"]].drop_duplicates()
    pairs = pairs[pairs["patient_id"].isin(survival["patient_id"])]
    assert cohort.mutations.nnz == len(pairs)
    per_patient = pairs.groupby("patient_id").size()
    assert cohort.patients.set_index("patient_id")["n_mutations"].equals(per_patient.rename("n_mutations").rename_axis("patient_id"))
    row = cohort.patients["patient_id"].tolist().index("TCGA-05-4244")
    expected_genes = sorted(pairs.loc[pairs["patient_id"] == "TCGA-05-4244", "gene"])
    assert cohort.genes[cohort.mutations[row].indices].tolist() == expected_genes


def test_luad_clinical_covariates_aligned(luad):
    cohort, _ = luad
    clinical = cohort.clinical.set_index("patient_id")
    assert {"age_at_diagnosis_years", "gender", "pathologic_stage", "pathologic_t", "residual_tumor"} <= set(clinical.columns)
    assert clinical.index.tolist() == cohort.patients["patient_id"].tolist()
    source = pd.read_csv(SNAPSHOT / "tcga" / "LUAD" / "clinical.tsv", sep="\t").set_index("patient_id")
    assert clinical.loc["TCGA-05-4244", "pathologic_stage"] == source.loc["TCGA-05-4244", "pathologic_stage"] == "stage iv"
    assert clinical["age_at_diagnosis_years"].dtype.kind == "f"


def test_save_load_roundtrip(luad, tmp_path):
    cohort, _ = luad
    cohort.save(tmp_path / "LUAD")
    loaded = Cohort.load(tmp_path / "LUAD")
    assert (loaded.mutations != cohort.mutations).nnz == 0
    assert loaded.genes.tolist() == cohort.genes.tolist()
    pd.testing.assert_frame_equal(loaded.patients, cohort.patients, check_dtype=False)
    assert loaded.clinical.shape == cohort.clinical.shape
    assert not list(tmp_path.rglob("*.part"))
    (tmp_path / "LUAD" / "genes.txt").unlink()
    with pytest.raises(InputFileError, match="genes.txt: cohort file missing"):
        Cohort.load(tmp_path / "LUAD")


def test_matrix_is_binary_and_sparse(luad):
    cohort, _ = luad
    assert set(np.unique(cohort.mutations.data)) == {1}
    assert cohort.mutations.nnz / np.prod(cohort.mutations.shape) < 0.05


def test_atomic_writes_get_normal_permissions(tmp_path):
    import os
    import stat

    from pancan.atomic import write_text_atomic

    previous = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "out.txt", "x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == 0o644
