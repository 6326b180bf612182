"""Every TCGA type from PanCanAtlas-shaped cBioPortal studies: endpoints, min_events, COADREAD, case lists.

The studies are written by scripts/benchmarks/synthetic_pancanatlas.py at a tiny fraction (8 to 22 patients per
type, 33 types in 32 studies); every cohort is checked against a plain pandas recount of the study's files.
"""

import subprocess
import sys

import pandas as pd
import pytest
from helpers import REPO, STUDY_ES_0

from pancan.config_schema import default_config
from pancan.data.cancer_types import (
    TCGA_TYPES,
    CancerTypeError,
    cbioportal_selection,
    local_selection,
    named_explicitly,
    snapshot_selection,
)
from pancan.data.cohort_summary import left_out_sentence, summarize_cohorts
from pancan.data.drop_log import DropLog
from pancan.data.mutation_calls import NON_SILENT_CLASSES
from pancan.data.prepare import CohortSettings, prepare_cohort
from pancan.data.survival import CBIOPORTAL_PREFIX, DAYS_PER_MONTH, ENDPOINTS
from pancan.errors import InputFileError, InsufficientDataError

GENERATOR = REPO / "scripts" / "benchmarks" / "synthetic_pancanatlas.py"
MISSING = {"", "[Not Available]", "NA"}


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    """33 types in 32 study folders, a few patients each (seeded: the same bytes on every run)."""
    out = tmp_path_factory.mktemp("pancanatlas")
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out), "--fraction", "0.02", "--seed", "3"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return out


def label(cancer):
    return "COADREAD" if cancer in ("COAD", "READ") else cancer


def folder(studies, cancer):
    return studies / f"{label(cancer).lower()}_tcga_pan_can_atlas_2018"


def study_files(path, case_list=True):
    files = {
        "mutations": path / "data_mutations.txt",
        "clinical_patient": path / "data_clinical_patient.txt",
        "clinical_sample": path / "data_clinical_sample.txt",
    }
    if case_list:
        files["case_list"] = path / "case_lists" / "cases_sequenced.txt"
    return files


def build(studies, cancer, log=None, **settings):
    return prepare_cohort(
        cancer, study_files(folder(studies, cancer)), CohortSettings(**settings), study=label(cancer), log=log
    )


# --- the plain recount: pandas on the raw files, none of pancan's readers ---


def plain_table(path):
    return pd.read_csv(path, sep="\t", comment="#", dtype=str, keep_default_na=False)


def plain_case_list(path):
    line = next(line for line in path.read_text().splitlines() if line.startswith("case_list_ids:"))
    return set(line.split(":", 1)[1].split())


def plain_cohort(path, cancer, endpoint="OS", listed=None, acronym=True):
    """patient -> (days, event) of the patients the cohort should hold (non-silent call, usable endpoint)."""
    patients = plain_table(path / "data_clinical_patient.txt")
    maf = plain_table(path / "data_mutations.txt")
    listed = plain_case_list(path / "case_lists" / "cases_sequenced.txt") if listed is None else listed
    of_type = set(patients.loc[patients["CANCER_TYPE_ACRONYM"] == cancer, "PATIENT_ID"]) if acronym else None
    calls = maf[maf["Tumor_Sample_Barcode"].isin(listed) & maf["Variant_Classification"].isin(NON_SILENT_CLASSES)]
    mutated = set(calls["Tumor_Sample_Barcode"].str.slice(0, 12))
    status, months = (f"{CBIOPORTAL_PREFIX[endpoint]}_{kind}" for kind in ("STATUS", "MONTHS"))
    usable = patients[~patients[status].isin(MISSING) & ~patients[months].isin(MISSING)]
    usable = usable[pd.to_numeric(usable[months]) >= 0]
    keep = usable[usable["PATIENT_ID"].isin(mutated & of_type if acronym else mutated)]
    return {
        row.PATIENT_ID: (float(getattr(row, months)) * DAYS_PER_MONTH, int(getattr(row, status).startswith("1")))
        for row in keep.itertuples()
    }


def assert_matches(cohort, expected):
    assert cohort.patients["patient_id"].tolist() == sorted(expected)
    assert cohort.patients["event"].tolist() == [expected[p][1] for p in sorted(expected)]
    assert cohort.patients["time_days"].tolist() == pytest.approx([expected[p][0] for p in sorted(expected)])


def test_every_type_builds_with_the_counts_of_a_plain_recount(studies):
    """33 types from 32 studies; each cohort's patients, events and the events of every endpoint, recounted."""
    assert len({folder(studies, c) for c in TCGA_TYPES}) == 32 == len(list(studies.glob("*_tcga_pan_can_atlas_2018")))
    totals = {}
    for cancer in TCGA_TYPES:
        cohort = build(studies, cancer)
        assert_matches(cohort, plain_cohort(folder(studies, cancer), cancer))
        counts = cohort.endpoints.set_index("endpoint")
        assert list(counts.index) == list(ENDPOINTS)
        for endpoint in ENDPOINTS:
            expected = plain_cohort(folder(studies, cancer), cancer, endpoint)
            assert counts.loc[endpoint].tolist() == [len(expected), sum(e for _, e in expected.values())], endpoint
        totals[cancer] = len(cohort.patients)
    assert min(totals.values()) > 0 and sum(totals.values()) > 300


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_each_endpoint_is_read_from_its_cbioportal_columns(studies, endpoint):
    """OS, DSS, DFI (DFS_ columns) and PFI (PFS_ columns): patients, events and times of a plain recount."""
    cohort = build(studies, "GBM", endpoint=endpoint)
    expected = plain_cohort(folder(studies, "GBM"), "GBM", endpoint)
    assert_matches(cohort, expected)
    assert 0 < cohort.patients["event"].sum() < len(cohort.patients) or endpoint == "DFI"


def test_endpoint_by_cancer_overrides_one_type(studies):
    config = default_config()
    survival = {**config["survival"], "endpoint_by_cancer": {"PRAD": "PFI"}}
    prad = CohortSettings.from_config("PRAD", config["mutations"], survival, named=False)
    gbm = CohortSettings.from_config("GBM", config["mutations"], survival, named=False)
    assert (prad.endpoint, gbm.endpoint, prad.min_events) == ("PFI", "OS", None)
    cohorts = [prepare_cohort(c, study_files(folder(studies, c)), s) for c, s in [("PRAD", prad), ("GBM", gbm)]]
    assert_matches(cohorts[0], plain_cohort(folder(studies, "PRAD"), "PRAD", "PFI"))
    assert_matches(cohorts[1], plain_cohort(folder(studies, "GBM"), "GBM", "OS"))
    summary = summarize_cohorts(cohorts, {}, {"PRAD": "PFI", "GBM": "OS"}, min_events=2).set_index("cancer")
    assert summary["endpoint"].tolist() == ["PFI", "OS"]
    assert summary.loc["PRAD", "deaths"] == summary.loc["PRAD", "events_PFI"] == cohorts[0].patients["event"].sum()
    assert summary.loc["GBM", "deaths"] == summary.loc["GBM", "events_OS"]


def test_a_type_without_any_event_of_its_endpoint_is_left_out_or_an_error(studies):
    """LAML has no PFI data (TCGA-CDR): with [all] an empty cohort, left out; named, an error saying what helps."""
    laml = build(studies, "LAML", endpoint="PFI")
    assert len(laml.patients) == 0 and laml.mutations.shape == (0, 0)
    assert laml.endpoints.set_index("endpoint").loc["PFI"].tolist() == [0, 0]
    summary = summarize_cohorts([laml], {"pathway_commons": ["TP53"]}, {"LAML": "PFI"}, min_events=20)
    assert summary[["benchmarked", "note"]].values.tolist() == [
        [False, "left out: 0 PFI events, fewer than survival.min_events 20"]
    ]
    counts = laml.endpoints.set_index("endpoint")["events"]
    assert counts["OS"] > 0 and counts["DSS"] == 0  # TCGA-CDR: LAML has neither a PFI nor a DSS event
    better = ", ".join(f"{e} {n} events" for e, n in counts.items() if n > 0)
    with pytest.raises(InsufficientDataError) as error:
        build(studies, "LAML", endpoint="PFI", min_events=2)
    assert str(error.value) == (
        "LAML: 0 PFI events, fewer than survival.min_events 2 (0 patients): too few to benchmark or stratify it. "
        f"Lower survival.min_events, choose an endpoint with more (survival.endpoint_by_cancer: {{LAML: ...}}: "
        f"{better}), or leave LAML out of cancer_types (with cancer_types: [all] such types are left out, and the "
        "cohort summary says why)"
    )


def test_min_events_leaves_types_out_with_all_and_is_an_error_when_named(studies):
    cohorts = [build(studies, cancer) for cancer in TCGA_TYPES]
    events = {c: sum(e for _, e in plain_cohort(folder(studies, c), c).values()) for c in TCGA_TYPES}
    summary = summarize_cohorts(cohorts, {}, min_events=5)
    benchmarked = set(summary.loc[summary["benchmarked"], "cancer"])
    assert benchmarked == {c for c, n in events.items() if n >= 5}
    assert 0 < len(benchmarked) < 33  # some in, some out: the test can fail either way
    notes = summary.set_index("cancer")["note"]
    for cancer in set(TCGA_TYPES) - benchmarked:
        n = events[cancer]
        assert notes[cancer] == f"left out: {n} OS event{'s' if n != 1 else ''}, fewer than survival.min_events 5"
    assert (notes[list(benchmarked)] == "").all()
    sentence = left_out_sentence(summary, 5)
    assert sentence.startswith(f"{33 - len(benchmarked)} of 33 types have fewer events of their endpoint than ")
    assert "TGCT (1 OS event)" in sentence or events["TGCT"] != 1
    # naming a type with too few: an error at its cohort
    with pytest.raises(InsufficientDataError, match=rf"^TGCT: {events['TGCT']} OS events?, fewer than survival."):
        build(studies, "TGCT", min_events=5)
    assert len(build(studies, "GBM", min_events=5).patients) > 0  # named with enough: built


def test_coadread_is_split_into_coad_and_read_by_each_patients_type(studies):
    path = folder(studies, "COAD")
    patients = plain_table(path / "data_clinical_patient.txt")
    maf = plain_table(path / "data_mutations.txt")
    samples = plain_table(path / "data_clinical_sample.txt")
    assert (samples["ONCOTREE_CODE"] == "MACR").any()  # mucinous samples: only the acronym tells their type
    cohorts = {}
    for cancer, other in (("COAD", "READ"), ("READ", "COAD")):
        log = DropLog()
        cohort = build(studies, cancer, log=log)
        assert_matches(cohort, plain_cohort(path, cancer))
        dropped = log.to_frame()
        rows = dropped[dropped["stage"] == "cancer_type"]
        of_other = set(patients.loc[patients["CANCER_TYPE_ACRONYM"] == other, "PATIENT_ID"])
        assert set(rows["item"]) == of_other and len(rows) == len(of_other) > 0
        assert set(rows["reason"]) == {f"patient of {other} (CANCER_TYPE_ACRONYM), not {cancer}: left out of {cancer}"}
        calls = dropped[dropped["stage"] == "calls"].groupby("reason")["count"].sum()
        other_calls = int(maf["Tumor_Sample_Barcode"].str.slice(0, 12).isin(of_other).sum())
        assert calls["call of a patient of another cancer type (see the cancer_type rows)"] == other_calls > 0
        assert calls.sum() + cohort.mutations.nnz == len(maf)  # every call accounted for
        cohorts[cancer] = cohort
    assert not set(cohorts["COAD"].patients["patient_id"]) & set(cohorts["READ"].patients["patient_id"])
    # kept whole: both types' patients, nothing left out for its type
    log = DropLog()
    whole = prepare_cohort("COADREAD", study_files(path), CohortSettings(), study="COADREAD", log=log)
    assert whole.patients["patient_id"].tolist() == sorted(
        [*cohorts["COAD"].patients["patient_id"], *cohorts["READ"].patients["patient_id"]]
    )
    assert "cancer_type" not in set(log.to_frame()["stage"])


def without_columns(src, dst, patient_columns=(), sample_columns=()):
    """A copy of a study folder without some clinical columns (the 4 '#' lines and the header kept aligned)."""
    dst.mkdir(parents=True)
    (dst / "case_lists").mkdir()
    (dst / "case_lists" / "cases_sequenced.txt").write_bytes((src / "case_lists" / "cases_sequenced.txt").read_bytes())
    (dst / "data_mutations.txt").write_bytes((src / "data_mutations.txt").read_bytes())
    for name, dropped in (("data_clinical_patient.txt", patient_columns), ("data_clinical_sample.txt", sample_columns)):
        lines = [line.split("\t") for line in (src / name).read_text().splitlines()]
        keep = [i for i, column in enumerate(lines[4]) if column not in dropped]
        (dst / name).write_text("\n".join("\t".join(fields[i] for i in keep) for fields in lines) + "\n")
    return dst


def test_without_the_acronym_each_samples_oncotree_code_or_detailed_type_tells(studies, tmp_path):
    """Patient acronym first, then the sample's ONCOTREE_CODE, then CANCER_TYPE_DETAILED; MACR names neither."""
    src = folder(studies, "COAD")
    patients = plain_table(src / "data_clinical_patient.txt").set_index("PATIENT_ID")
    samples = plain_table(src / "data_clinical_sample.txt")
    mucinous = set(samples.loc[samples["ONCOTREE_CODE"] == "MACR", "PATIENT_ID"])
    coad = set(patients.index[patients["CANCER_TYPE_ACRONYM"] == "COAD"])
    for name, sample_columns in (("oncotree", ()), ("detailed", ("ONCOTREE_CODE",))):
        path = without_columns(src, tmp_path / name, ("CANCER_TYPE_ACRONYM",), sample_columns)
        log = DropLog()
        cohort = prepare_cohort("COAD", study_files(path), CohortSettings(), study="COADREAD", log=log)
        expected = {p: v for p, v in plain_cohort(src, "COAD").items() if p not in mucinous}
        assert_matches(cohort, expected)
        rows = log.to_frame().query("stage == 'cancer_type'")
        untold = rows[rows["reason"].str.startswith("cancer type not told")]
        assert set(untold["item"]) == mucinous and len(mucinous) > 0
        source = "ONCOTREE_CODE" if name == "oncotree" else "CANCER_TYPE_DETAILED"
        assert set(rows.loc[~rows.index.isin(untold.index), "reason"]) == {
            f"patient of READ ({source}), not COAD: left out of COAD"
        }
        assert set(rows["item"]) == set(patients.index) - (coad - mucinous)
    path = without_columns(src, tmp_path / "none", ("CANCER_TYPE_ACRONYM",), ("ONCOTREE_CODE", "CANCER_TYPE_DETAILED"))
    with pytest.raises(
        InputFileError,
        match=r"data_clinical_sample.txt: study COADREAD holds COAD and READ, but neither .*data_clinical_patient.txt "
        r"has CANCER_TYPE_ACRONYM nor this file ONCOTREE_CODE or CANCER_TYPE_DETAILED",
    ):
        prepare_cohort("COAD", study_files(path), CohortSettings(), study="COADREAD")


def write_case_list(path, samples):
    text = path.read_text().splitlines()
    lines = [line for line in text if not line.startswith("case_list_ids:")]
    path.write_text("\n".join([*lines, "case_list_ids: " + "\t".join(samples)]) + "\n")


def copy_study(src, dst):
    without_columns(src, dst)
    return dst


def test_calls_of_samples_outside_the_case_list_are_dropped_and_counted(studies, tmp_path):
    path = copy_study(folder(studies, "GBM"), tmp_path / "gbm")
    listed = sorted(plain_case_list(path / "case_lists" / "cases_sequenced.txt"))
    removed = listed[:3]
    write_case_list(path / "case_lists" / "cases_sequenced.txt", listed[3:])
    log = DropLog()
    cohort = prepare_cohort("GBM", study_files(path), CohortSettings(), log=log)
    assert_matches(cohort, plain_cohort(path, "GBM", listed=set(listed[3:])))
    maf = plain_table(path / "data_mutations.txt")
    dropped = log.to_frame()
    counts = dropped[dropped["stage"] == "calls"].groupby("reason")["count"].sum()
    reason = f"call of a sample not in the case list {path / 'case_lists' / 'cases_sequenced.txt'}"
    assert counts[reason] == int(maf["Tumor_Sample_Barcode"].isin(removed).sum()) > 0
    assert counts.sum() + cohort.mutations.nnz == len(maf)
    samples = dropped[dropped["stage"] == "samples"]
    assert samples["item"].tolist() == removed
    patients = plain_table(path / "data_clinical_patient.txt")
    usable = set(patients.loc[~patients["OS_MONTHS"].isin(MISSING), "PATIENT_ID"])
    not_sequenced = dropped[dropped["reason"].str.startswith("not sequenced (no sample in the case list")]
    assert set(not_sequenced["item"]) == {s[:12] for s in removed} & usable | (usable - {s[:12] for s in listed})
    # without a case list: as before, every MAF sample counts as sequenced
    plain = prepare_cohort("GBM", study_files(path, case_list=False), CohortSettings())
    assert_matches(plain, plain_cohort(path, "GBM", listed=set(maf["Tumor_Sample_Barcode"])))


def test_keep_unmutated_with_the_case_list_keeps_sequenced_samples_without_a_call(studies, tmp_path):
    """The case list tells 'sequenced, nothing found' (an all-zero row) from 'not sequenced' (left out)."""
    path = copy_study(folder(studies, "BRCA"), tmp_path / "brca")
    listed = plain_case_list(path / "case_lists" / "cases_sequenced.txt")
    samples = plain_table(path / "data_clinical_sample.txt")
    unlisted = sorted(set(samples["SAMPLE_ID"]) - listed)  # the generator's clinical-only patients
    maf = plain_table(path / "data_mutations.txt")
    assert unlisted and not maf["Tumor_Sample_Barcode"].isin(unlisted).any()
    write_case_list(path / "case_lists" / "cases_sequenced.txt", sorted(listed | set(unlisted)))
    patients = plain_table(path / "data_clinical_patient.txt").set_index("PATIENT_ID")
    usable = {s[:12] for s in unlisted if patients.loc[s[:12], "OS_MONTHS"] not in MISSING}
    assert usable
    kept = prepare_cohort("BRCA", study_files(path), CohortSettings(keep_unmutated_patients=True))
    zero = set(kept.patients.loc[kept.patients["n_mutations"] == 0, "patient_id"])
    with_os = set(patients.index[~patients["OS_MONTHS"].isin(MISSING) & ~patients["OS_STATUS"].isin(MISSING)])
    called = set(maf["Tumor_Sample_Barcode"].str.slice(0, 12))
    non_silent = set(maf.loc[maf["Variant_Classification"].isin(NON_SILENT_CLASSES), "Tumor_Sample_Barcode"].str[:12])
    silent_only = (called - non_silent) & with_os
    assert zero == usable | silent_only
    assert kept.patients["patient_id"].tolist() == sorted(set(plain_cohort(path, "BRCA")) | usable | silent_only)
    log = DropLog()
    default = prepare_cohort("BRCA", study_files(path), CohortSettings(), log=log)
    assert_matches(default, plain_cohort(path, "BRCA"))
    reasons = log.to_frame().set_index("item")["reason"]
    for sample in unlisted:
        if sample[:12] in usable:
            assert reasons[sample[:12]].startswith("sequenced (in the case list) without any call")
    # without the case list, the same patients are not sequenced: never an all-zero row
    unlisted_run = prepare_cohort(
        "BRCA", study_files(path, case_list=False), CohortSettings(keep_unmutated_patients=True)
    )
    assert not set(unlisted_run.patients["patient_id"]) & usable


def test_real_case_list_of_study_es_0(tmp_path):
    """cBioPortal's own test study: 31 sequenced samples, 10 of them without a call in its MAF."""
    files = {
        "mutations": STUDY_ES_0 / "data_mutations_extended.maf",
        "clinical_patient": STUDY_ES_0 / "data_clinical_patients.txt",
        "clinical_sample": STUDY_ES_0 / "data_clinical_samples.txt",
        "case_list": STUDY_ES_0 / "case_lists" / "cases_sequenced.txt",
    }
    listed = plain_case_list(files["case_list"])
    maf = plain_table(files["mutations"])
    assert len(listed) == 31 and len(listed - set(maf["Tumor_Sample_Barcode"])) == 10
    settings = CohortSettings(keep_unmutated_patients=True, sample_preference=["01", "06"])
    log = DropLog()
    cohort = prepare_cohort("BRCA", files, settings, study="BRCA", log=log)
    sample_patient = plain_table(files["clinical_sample"]).set_index("SAMPLE_ID")["PATIENT_ID"]
    patients = plain_table(files["clinical_patient"])
    usable = patients[~patients["OS_STATUS"].isin(MISSING) & ~patients["OS_MONTHS"].isin(MISSING)]
    primary = {s for s in listed if not s.startswith("TCGA") or s.endswith("-01")}
    expected = {sample_patient.get(s, s[:12]) for s in primary} & set(usable["PATIENT_ID"])
    assert cohort.patients["patient_id"].tolist() == sorted(expected) and len(expected) > 5
    assert log.to_frame().set_index("item").loc["TCGA-A1-A0SB-02", "reason"] == (
        "tumour sample type not in preference list"
    )


def test_all_names_every_type_of_the_source():
    default = "{cancer_lower}_tcga_pan_can_atlas_2018"
    assert cbioportal_selection(["all"], ["LUAD"], default, default) == TCGA_TYPES
    whole = cbioportal_selection(["all"], ["LUAD"], default, default, coadread="whole")
    assert len(whole) == 32 and "COADREAD" in whole and not {"COAD", "READ"} & set(whole)
    assert cbioportal_selection([], ["LUAD"], default, default) == ["LUAD"]  # empty: the defaults
    assert snapshot_selection(["all"], ["GBM", "OV"]) == ["GBM", "OV"]
    assert local_selection(["all"], ["COADREAD", "LUAD"]) == ["COAD", "LUAD", "READ"]
    assert local_selection([], ["COADREAD", "LUAD"], coadread="whole") == ["COADREAD", "LUAD"]
    assert local_selection(["COADREAD"], ["COADREAD"]) == ["COADREAD"]  # named: kept whole
    assert not named_explicitly(["all"]) and not named_explicitly([]) and named_explicitly(["COAD"])
    with pytest.raises(
        CancerTypeError, match=r"cancer_types \['all', 'LUAD'\]: 'all' means every type .* stands alone"
    ):
        cbioportal_selection(["all", "LUAD"], [], default, default)
