"""Cohort building: hand example, and the real LUAD snapshot against an independent pandas count."""

import numpy as np
import pandas as pd
import pytest
from helpers import SNAPSHOT

from pancan.data.barcodes import select_tumour_samples
from pancan.data.clinical import read_snapshot_clinical
from pancan.data.cohort import Cohort, build_cohort
from pancan.data.cohort_inputs import snapshot_inputs
from pancan.data.drop_log import DropLog
from pancan.data.mutation_calls import NON_SILENT_CLASSES, read_maf
from pancan.errors import InputFileError

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
    cohort, log = build_cohort(
        "TEST", calls, survival, clinical, classes=NON_SILENT_CLASSES, sample_preference=PREFERENCE
    )
    assert cohort.patients["patient_id"].tolist() == ["TCGA-AA-0001", "TCGA-AA-0002"]
    assert cohort.genes.tolist() == ["KRAS", "TP53"]
    assert cohort.mutations.toarray().tolist() == [[0, 1], [1, 0]]
    assert cohort.patients["n_mutations"].tolist() == [1, 1]
    assert cohort.patients["sample_id"].tolist() == ["TCGA-AA-0001-01A", "TCGA-AA-0002-01A"]
    assert cohort.patients["event"].tolist() == [1, 0]
    assert cohort.clinical["gender"].tolist() == ["female", "male"]  # aligned to patient order
    dropped = log.to_frame()
    by_item = dict(zip(dropped["item"], dropped["reason"]))
    assert by_item["TCGA-AA-0001-06A"] == "another sample of the same patient was preferred"
    assert by_item["TCGA-AA-0003"] == "no survival record"
    assert by_item["TCGA-AA-0004"] == "no mutation call (not in the mutation file)"
    assert by_item["TCGA-AA-0005"] == "negative survival time"
    totals = dict(zip(log.totals()["reason"], log.totals()["count"]))
    assert totals["call of a sample not used (see the samples rows)"] == 1  # the 06A call
    assert totals["unknown or empty gene symbol"] == 1
    assert totals["variant class not selected: Silent"] == 1
    assert totals["duplicate call of the same gene in the same patient (binarised)"] == 1


def test_nobody_left_is_an_error():
    calls, survival, clinical = small_inputs()
    with pytest.raises(InputFileError, match=r"^surv.tsv: TEST: no patient has a usable survival record"):
        build_cohort(
            "TEST",
            calls,
            survival.assign(time_days=-1.0),
            clinical,
            classes=NON_SILENT_CLASSES,
            sample_preference=PREFERENCE,
            survival_path="surv.tsv",
        )
    with pytest.raises(
        InputFileError,
        match=r"^surv.tsv: TEST: no patient is in both this file \(4 with usable survival, e.g. P1, P2, P3\) and "
        r"calls.maf \(4 with a selected call, e.g. TCGA-AA-0001, TCGA-AA-0002, TCGA-AA-0003\): the patient ids do not match$",
    ):
        build_cohort(
            "TEST",
            calls,
            survival.assign(patient_id=["P1", "P2", "P3", "P4"], time_days=1.0),
            clinical,
            classes=NON_SILENT_CLASSES,
            sample_preference=PREFERENCE,
            survival_path="surv.tsv",
            calls_path="calls.maf",
        )


def call_counts(log) -> pd.Series:
    frame = log.to_frame()
    return frame[frame["stage"] == "calls"].groupby("reason")["count"].sum()


def test_every_call_is_accounted_for_in_the_drop_log():
    """Calls dropped + mutated pairs kept = calls given; the calls of patients without survival are counted."""
    calls, survival, clinical = small_inputs()
    cohort, log = build_cohort(
        "TEST", calls, survival, clinical, classes=NON_SILENT_CLASSES, sample_preference=PREFERENCE
    )
    counts = call_counts(log)
    # TCGA-AA-0003 (no survival record) and TCGA-AA-0005 (negative time) have one selected call each
    assert counts["call of a patient without usable survival (see the survival and intersect rows)"] == 2
    assert counts.sum() + cohort.mutations.nnz == len(calls)


@pytest.mark.parametrize("cancer", ["OV", "GBM", "LUAD"])
def test_real_calls_of_patients_without_survival_are_counted(cancer):
    """On the snapshot (OV: calls of patients without survival), an independent pandas count of those calls."""
    root = SNAPSHOT / "tcga" / cancer
    inputs = snapshot_inputs(root / "mutations.tsv.gz", root / "survival.tsv", root / "clinical.tsv")
    cohort, log = build_cohort(
        cancer, inputs.calls, inputs.survival, inputs.clinical, classes=NON_SILENT_CLASSES, sample_preference=PREFERENCE
    )
    raw = pd.read_csv(root / "mutations.tsv.gz", sep="\t", dtype=str)
    survival = pd.read_csv(root / "survival.tsv", sep="\t")
    usable = set(survival.loc[survival["os_days"].ge(0) & survival["os_event"].notna(), "patient_id"])
    selected = raw[raw["variant_classification"].isin(NON_SILENT_CLASSES)][["patient_id", "gene"]].drop_duplicates()
    expected = int((~selected["patient_id"].isin(usable)).sum())
    counts = call_counts(log)
    assert counts.get("call of a patient without usable survival (see the survival and intersect rows)", 0) == expected
    assert counts.sum() + cohort.mutations.nnz == len(raw)
    if cancer == "OV":
        assert expected > 0  # the case the probe found: OV calls of patients without survival were not counted


def test_failures_name_the_real_cause():
    """Each empty cohort blames the file or setting at its root, not the clinical patient file."""
    calls, survival, clinical = small_inputs()
    options = dict(
        classes=NON_SILENT_CLASSES, sample_preference=PREFERENCE, survival_path="patient.txt", calls_path="calls.maf"
    )
    with pytest.raises(
        InputFileError,
        match=r"^calls.maf: T: every call's gene symbol \(Hugo_Symbol\) is unknown or empty: 'Unknown' \(7\); the file needs HGNC symbols \(e.g. TP53\)$",
    ):
        build_cohort("T", calls.assign(gene="Unknown"), survival, clinical, **options)
    with pytest.raises(InputFileError, match="^calls.maf: T: the mutation file has a header but no mutation call$"):
        build_cohort("T", calls.iloc[:0], survival, clinical, **options)
    with pytest.raises(
        InputFileError,
        match=r"^calls.maf: T: no sample of the mutation file can be used \(tumour sample type not in preference "
        r"list: 5\); sample types found: 01 \(4\), 06 \(1\); mutations.sample_type_preference_by_cancer.T is "
        r"\['02'\]$",
    ):
        build_cohort(
            "T",
            calls,
            survival,
            clinical,
            **{**options, "sample_preference": ["02"]},
            preference_key="mutations.sample_type_preference_by_cancer.T",
        )


def test_drops_before_a_failure_are_kept():
    """A caller's DropLog holds what was dropped before the error, so prepare_cohort can write it."""
    calls, survival, clinical = small_inputs()
    log = DropLog()
    with pytest.raises(InputFileError, match="surv.tsv: T: no patient has a usable survival record"):
        build_cohort(
            "T",
            calls,
            survival.assign(event=float("nan")),
            clinical,
            classes=NON_SILENT_CLASSES,
            sample_preference=PREFERENCE,
            survival_path="surv.tsv",
            log=log,
        )
    totals = log.totals().set_index("reason")["count"]
    assert totals["missing survival status"] == 3 and totals["negative survival time"] == 1
    assert totals["variant class not selected: Silent"] == 1


@pytest.fixture(scope="module")
def luad():
    root = SNAPSHOT / "tcga" / "LUAD"
    inputs = snapshot_inputs(root / "mutations.tsv.gz", root / "survival.tsv", root / "clinical.tsv")
    return build_cohort(
        "LUAD", inputs.calls, inputs.survival, inputs.clinical, classes=NON_SILENT_CLASSES, sample_preference=PREFERENCE
    )


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
    # patient ids are pandas "string" dtype in the cohort, object in this plain reading: compare values
    pd.testing.assert_series_equal(
        cohort.patients.set_index("patient_id")["n_mutations"],
        per_patient.rename("n_mutations").rename_axis("patient_id"),
        check_index_type=False,
    )
    row = cohort.patients["patient_id"].tolist().index("TCGA-05-4244")
    expected_genes = sorted(pairs.loc[pairs["patient_id"] == "TCGA-05-4244", "gene"])
    assert cohort.genes[cohort.mutations[row].indices].tolist() == expected_genes


def test_luad_clinical_covariates_aligned(luad):
    cohort, _ = luad
    clinical = cohort.clinical.set_index("patient_id")
    assert {"age_at_diagnosis_years", "gender", "pathologic_stage", "pathologic_t", "residual_tumor"} <= set(
        clinical.columns
    )
    assert clinical.index.tolist() == cohort.patients["patient_id"].tolist()
    source = pd.read_csv(SNAPSHOT / "tcga" / "LUAD" / "clinical.tsv", sep="\t").set_index("patient_id")
    assert (
        clinical.loc["TCGA-05-4244", "pathologic_stage"] == source.loc["TCGA-05-4244", "pathologic_stage"] == "stage iv"
    )
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


def primary_with_silent_calls_only():
    """TCGA-AA-0001's primary (01A) has only a silent call; its metastasis (06A) a missense one."""
    calls = pd.DataFrame(
        [
            ("TCGA-AA-0001-01A", "KRAS", "Silent"),
            ("TCGA-AA-0001-06A", "EGFR", "Missense_Mutation"),
            ("TCGA-AA-0002-01A", "TP53", "Missense_Mutation"),
        ],
        columns=["sample_id", "gene", "variant_classification"],
    )
    survival = pd.DataFrame(
        {"patient_id": ["TCGA-AA-0001", "TCGA-AA-0002"], "time_days": [10.0, 20.0], "event": [1, 0]}
    )
    clinical = pd.DataFrame({"patient_id": ["TCGA-AA-0001", "TCGA-AA-0002"]})
    return calls, survival, clinical


def test_sample_is_chosen_before_the_class_filter():
    calls, survival, clinical = primary_with_silent_calls_only()
    cohort, log = build_cohort("T", calls, survival, clinical, classes=NON_SILENT_CLASSES, sample_preference=PREFERENCE)
    # the primary is chosen although its only call is silent: the metastasis never stands in for it
    assert cohort.patients["patient_id"].tolist() == ["TCGA-AA-0002"]
    dropped = log.to_frame().set_index("item")["reason"]
    assert dropped["TCGA-AA-0001-06A"] == "another sample of the same patient was preferred"
    assert dropped["TCGA-AA-0001"].startswith("no selected call (all silent or filtered out")
    kept, _ = build_cohort(
        "T",
        calls,
        survival,
        clinical,
        classes=NON_SILENT_CLASSES,
        sample_preference=PREFERENCE,
        keep_unmutated_patients=True,
    )
    assert kept.patients[["patient_id", "sample_id", "n_mutations"]].values.tolist() == [
        ["TCGA-AA-0001", "TCGA-AA-0001-01A", 0],
        ["TCGA-AA-0002", "TCGA-AA-0002-01A", 1],
    ]
    assert kept.genes.tolist() == ["TP53"] and kept.mutations.toarray().tolist() == [[0], [1]]


@pytest.mark.parametrize(
    "cancer, silent_only",
    [
        ("BRCA", ["TCGA-A2-A25F", "TCGA-AC-A2FK", "TCGA-EW-A1P1"]),
        ("LUSC", ["TCGA-34-5241", "TCGA-46-3766"]),
        ("OV", ["TCGA-61-2109"]),
    ],
)
def test_snapshot_patients_with_only_silent_calls(cancer, silent_only):
    """The 6 snapshot patients whose calls are all silent: dropped by default, all-zero rows on request."""
    root = SNAPSHOT / "tcga" / cancer
    inputs = snapshot_inputs(root / "mutations.tsv.gz", root / "survival.tsv", root / "clinical.tsv")
    args = dict(classes=NON_SILENT_CLASSES, sample_preference=PREFERENCE)
    default, log = build_cohort(cancer, inputs.calls, inputs.survival, inputs.clinical, **args)
    kept, _ = build_cohort(cancer, inputs.calls, inputs.survival, inputs.clinical, keep_unmutated_patients=True, **args)
    calls = pd.read_csv(root / "mutations.tsv.gz", sep="\t")
    survival = pd.read_csv(root / "survival.tsv", sep="\t")
    sequenced = set(calls["patient_id"]) & set(survival["patient_id"])
    non_silent = set(calls.loc[calls["variant_classification"].isin(NON_SILENT_CLASSES), "patient_id"]) & sequenced
    assert sorted(sequenced - non_silent) == silent_only
    assert set(default.patients["patient_id"]) == non_silent and set(kept.patients["patient_id"]) == sequenced
    zero_rows = kept.patients.loc[kept.patients["n_mutations"] == 0, "patient_id"].tolist()
    assert zero_rows == silent_only
    assert set(
        log.to_frame().query("stage == 'intersect' and reason.str.startswith('no selected call')")["item"]
    ) == set(silent_only)


def mc3_like_calls(cancer="GBM"):
    """Snapshot calls with MC3-style FILTER values, assigned by a fixed rule so a plain recount can check them."""
    calls = pd.read_csv(SNAPSHOT / "tcga" / cancer / "mutations.tsv.gz", sep="\t", dtype=str)
    flags = np.array(["PASS", "wga", "common_in_exac,wga", "oxog", "PASS", "native_wga_mix;StrandBias"], dtype=object)
    calls["FILTER"] = flags[np.arange(len(calls)) % len(flags)]
    return calls


def read_maf_of(calls: pd.DataFrame) -> pd.DataFrame:
    """The calls as read_maf returns them (sample_id, gene, variant_classification, filter)."""
    return pd.DataFrame(
        {
            "sample_id": calls["patient_id"],
            "gene": calls["gene"],
            "variant_classification": calls["variant_classification"],
            "filter": calls["FILTER"],
        }
    ).astype("string")


def test_exclude_filters_drops_and_counts_flagged_calls(tmp_path):
    calls = mc3_like_calls()
    maf = tmp_path / "mc3.maf"
    calls.rename(
        columns={
            "patient_id": "Tumor_Sample_Barcode",
            "gene": "Hugo_Symbol",
            "variant_classification": "Variant_Classification",
        }
    ).to_csv(maf, sep="\t", index=False)
    root = SNAPSHOT / "tcga" / "GBM"
    snapshot = snapshot_inputs(root / "mutations.tsv.gz", root / "survival.tsv", root / "clinical.tsv")
    parsed = read_maf(maf)
    assert parsed["filter"].tolist() == calls["FILTER"].tolist()
    cohort, log = build_cohort(
        "GBM",
        parsed,
        snapshot.survival,
        snapshot.clinical,
        classes=NON_SILENT_CLASSES,
        sample_preference=PREFERENCE,
        exclude_filters=["wga", "StrandBias"],
        calls_path=maf,
    )
    # plain recount: a call goes when any of its flags is excluded
    flagged = calls["FILTER"].isin(["wga", "common_in_exac,wga", "native_wga_mix;StrandBias"])
    kept = calls[~flagged & calls["variant_classification"].isin(NON_SILENT_CLASSES)]
    survival = pd.read_csv(root / "survival.tsv", sep="\t")
    pairs = kept[kept["patient_id"].isin(survival["patient_id"])][["patient_id", "gene"]].drop_duplicates()
    assert cohort.mutations.nnz == len(pairs)
    assert cohort.patients["patient_id"].tolist() == sorted(pairs["patient_id"].unique())
    totals = log.totals().set_index("reason")["count"]
    for value in ["wga", "common_in_exac,wga", "native_wga_mix;StrandBias"]:
        assert totals[f"FILTER flag excluded (mutations.exclude_filters): {value}"] == (calls["FILTER"] == value).sum()
    assert not any("oxog" in reason for reason in totals.index)


def test_exclude_filters_without_a_filter_column_is_named():
    calls, survival, clinical = small_inputs()
    with pytest.raises(InputFileError, match="calls.maf: has no FILTER column, but mutations.exclude_filters"):
        build_cohort(
            "T",
            calls,
            survival,
            clinical,
            classes=NON_SILENT_CLASSES,
            sample_preference=PREFERENCE,
            exclude_filters=["wga"],
            calls_path="calls.maf",
        )
    with pytest.raises(InputFileError, match="calls.maf: T: every call has a FILTER flag listed"):
        build_cohort(
            "T",
            calls.assign(filter="wga"),
            survival,
            clinical,
            classes=NON_SILENT_CLASSES,
            sample_preference=PREFERENCE,
            exclude_filters=["wga"],
            calls_path="calls.maf",
        )


def test_exclude_filter_in_the_wrong_case_is_an_error():
    """MC3 writes 'wga': 'WGA' would keep every call it was meant to drop, so it is refused, naming the spelling."""
    parsed = read_maf_of(mc3_like_calls())
    _, survival, clinical = small_inputs()
    with pytest.raises(
        InputFileError,
        match=r"^mc3.maf: mutations.exclude_filters lists 'WGA', but this file's FILTER flags are spelled 'wga' "
        r"\(flags match case-sensitively, so no call would be dropped\); write 'wga' in mutations.exclude_filters$",
    ):
        build_cohort(
            "GBM",
            parsed,
            survival,
            clinical,
            classes=NON_SILENT_CLASSES,
            sample_preference=PREFERENCE,
            exclude_filters=["oxog", "WGA"],
            calls_path="mc3.maf",
        )


def test_exclude_filter_that_matches_nothing_is_reported(caplog):
    calls = mc3_like_calls()
    root = SNAPSHOT / "tcga" / "GBM"
    snapshot = snapshot_inputs(root / "mutations.tsv.gz", root / "survival.tsv", root / "clinical.tsv")
    _, log = build_cohort(
        "GBM",
        read_maf_of(calls),
        snapshot.survival,
        snapshot.clinical,
        classes=NON_SILENT_CLASSES,
        sample_preference=PREFERENCE,
        exclude_filters=["oxog", "bitgt"],
        calls_path="mc3.maf",
    )
    frame = log.to_frame()
    note = frame[frame["reason"] == "FILTER flag matched no call (mutations.exclude_filters): bitgt"]
    assert note[["stage", "item", "count"]].values.tolist() == [["calls", "*", 0]]
    assert frame.loc[frame["reason"].str.endswith(": oxog"), "count"].sum() == (calls["FILTER"] == "oxog").sum()
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING" and "exclude_filters" in r.message]
    assert warnings == [
        "mc3.maf: mutations.exclude_filters flag 'bitgt' occurs in no FILTER value, so it drops no call "
        "(flags present: PASS, StrandBias, common_in_exac, native_wga_mix, oxog, wga)"
    ]


def test_no_selected_class_blames_the_mutation_file():
    calls, survival, clinical = small_inputs()
    with pytest.raises(
        InputFileError,
        match=r"calls.maf: T: no call has a variant class listed in mutations.classes; "
        r"classes found: Missense_Mutation \(3\), Nonsense_Mutation \(1\), Silent \(1\), Frame_Shift_Del \(1\)$",
    ):
        build_cohort(
            "T", calls, survival, clinical, classes=["Silentt"], sample_preference=PREFERENCE, calls_path="calls.maf"
        )


def test_lower_case_symbols_are_reported(caplog):
    calls, survival, clinical = small_inputs()
    calls["gene"] = calls["gene"].str.lower().where(calls["gene"] != "TP53", "C1orf112")
    build_cohort(
        "T", calls, survival, clinical, classes=NON_SILENT_CLASSES, sample_preference=PREFERENCE, calls_path="calls.maf"
    )
    warning = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warning == [
        "calls.maf: 3 gene symbol(s) have lower-case letters (braf, egfr, kras): HGNC symbols are "
        "upper-case, so these match no network gene"
    ]


def test_conflicting_clinical_rows_are_named(tmp_path):
    path = tmp_path / "clinical.tsv"
    path.write_text(
        "patient_id\tgender\tpathologic_stage\nTCGA-AA-0001\tmale\tstage i\nTCGA-AA-0001\tmale\tstage i\n"
        "TCGA-AA-0002\tfemale\tstage ii\n"
    )
    assert read_snapshot_clinical(path)["patient_id"].tolist() == ["TCGA-AA-0001", "TCGA-AA-0002"]  # identical: once
    with open(path, "a") as handle:
        handle.write("TCGA-AA-0002\tfemale\tstage iv\n")
    with pytest.raises(
        InputFileError,
        match=r"clinical.tsv: patient TCGA-AA-0002 has 2 conflicting clinical rows "
        r"\(they differ in pathologic_stage\)",
    ):
        read_snapshot_clinical(path)


def test_network_coverage_notes_name_missing_genes_and_warn_when_symbols_do_not_match(luad):
    import logging

    from pancan.data.cohort_summary import coverage_notes

    cohort, _ = luad
    network = pd.read_csv(
        SNAPSHOT / "networks" / "pathway_commons_v9_hgnc.tsv.gz", sep="\t", usecols=["gene_a", "gene_b"]
    )
    genes = set(network["gene_a"]) | set(network["gene_b"])
    ((level, message),) = coverage_notes(cohort, {"pathway_commons": genes}, shown=2)
    covered = sum(gene in genes for gene in cohort.genes)  # 14,858 of the 472 patients' 16,264 genes (91.4%)
    assert level == logging.INFO
    assert message.startswith(
        f"LUAD: {covered} of {len(cohort.genes)} mutated genes (91.4%) are in network pathway_commons"
    )
    counts = pd.Series(np.asarray(cohort.mutations.sum(axis=0)).ravel(), index=cohort.genes)
    top = counts[~counts.index.isin(genes)].sort_values(ascending=False, kind="stable").head(2)
    assert message.endswith(", ".join(f"{g} ({n} patients)" for g, n in top.items()))
    lower = Cohort(
        cohort.cancer,
        cohort.patients,
        np.array([g.lower() for g in cohort.genes], dtype=object),
        cohort.mutations,
        cohort.clinical,
    )
    ((level, message),) = coverage_notes(lower, {"pathway_commons": genes})
    assert level == logging.WARNING and f"LUAD: 0 of {len(cohort.genes)} mutated genes (0.0%)" in message
    assert "lower-case symbols?" in message


@pytest.mark.parametrize(
    "samples",
    [["TCGA-AA-0001-01A", "TCGA-AA-0002-01A"], ["TCGA-AA-0001-01A", "TCGA-AA-0001-11A"], ["TCGA-AA-0001-11A"]],
    ids=["nothing-dropped", "normal-dropped", "all-dropped"],
)
def test_sample_selection_raises_no_pandas_warning(samples):
    """Concatenating an empty drop table raised pandas' FutureWarning (an error in a future pandas)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chosen, dropped = select_tumour_samples(samples, PREFERENCE)
    assert chosen["sample_id"].tolist() == [s for s in samples if "-01" in s]
    assert dropped["sample_id"].tolist() == [s for s in samples if "-11" in s]
