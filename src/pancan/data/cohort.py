"""A cancer cohort: sparse binary patient x gene mutations aligned with survival and covariates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from pancan.atomic import atomic_path, write_table_atomic, write_text_atomic
from pancan.data.barcodes import sample_type_codes, select_tumour_samples
from pancan.data.call_filters import filter_calls
from pancan.data.drop_log import DropLog
from pancan.data.survival import clean_survival
from pancan.errors import InputFileError

COHORT_FILES = ("mutations.npz", "patients.tsv", "genes.txt", "clinical.tsv")
ENDPOINTS_FILE = "endpoints.tsv"
ENDPOINT_COLUMNS = ["endpoint", "patients", "events"]


@dataclass
class Cohort:
    """Row i of `mutations` is patients.iloc[i]; column j is genes[j] (sorted symbols).

    `endpoints` (optional, saved as endpoints.tsv) counts, for every endpoint the
    data has, the patients with a usable record and their events among the
    patients the cohort would hold with that endpoint (sequenced, of the type, with
    a selected call unless unmutated patients are kept): what the cohort summary
    shows so that a user can choose an endpoint.
    """

    cancer: str
    patients: pd.DataFrame  # patient_id, sample_id (the tumour sample used), time_days, event, n_mutations
    genes: np.ndarray
    mutations: sp.csr_matrix  # int8, 1 = at least one selected call
    clinical: pd.DataFrame  # patient_id + covariates, same row order as patients
    endpoints: pd.DataFrame | None = None  # endpoint, patients, events

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        with atomic_path(directory / "mutations.npz") as tmp, open(tmp, "wb") as handle:
            sp.save_npz(handle, self.mutations.tocsr(), compressed=True)
        write_table_atomic(self.patients, directory / "patients.tsv")
        write_text_atomic(directory / "genes.txt", "".join(f"{gene}\n" for gene in self.genes))
        write_table_atomic(self.clinical, directory / "clinical.tsv")
        if self.endpoints is not None:
            write_table_atomic(self.endpoints, directory / ENDPOINTS_FILE)

    @classmethod
    def load(cls, directory: str | Path, cancer: str | None = None) -> Cohort:
        directory = Path(directory)
        for name in COHORT_FILES:
            if not (directory / name).exists():
                raise InputFileError(directory / name, "cohort file missing; rerun prepare_cohort")
        patients = pd.read_csv(directory / "patients.tsv", sep="\t", dtype={"patient_id": str})
        genes = np.array((directory / "genes.txt").read_text().split("\n")[:-1], dtype=object)
        mutations = sp.load_npz(directory / "mutations.npz").tocsr()
        clinical = pd.read_csv(directory / "clinical.tsv", sep="\t", dtype={"patient_id": str})
        if mutations.shape != (len(patients), len(genes)):
            raise InputFileError(
                directory / "mutations.npz",
                f"shape {mutations.shape} does not match {len(patients)} patients x {len(genes)} genes",
            )
        endpoints = directory / ENDPOINTS_FILE
        counts = pd.read_csv(endpoints, sep="\t") if endpoints.exists() else None
        return cls(cancer or directory.name, patients, genes, mutations, clinical, counts)


def build_cohort(
    cancer: str,
    calls: pd.DataFrame,
    survival: pd.DataFrame,
    clinical: pd.DataFrame,
    *,
    classes: Sequence[str],
    sample_preference: Sequence[str],
    sample_to_patient: Mapping[str, str] | None = None,
    exclude_filters: Sequence[str] = (),
    keep_unmutated_patients: bool = False,
    drop_zero_time: bool = False,
    survival_path: str | Path = "survival",
    calls_path: str | Path = "mutations",
    preference_key: str = "mutations.sample_type_preference",
    log: DropLog | None = None,
    sequenced_samples: Sequence[str] | None = None,
    case_list_path: str | Path = "case_lists/cases_sequenced.txt",
    endpoints: Mapping[str, pd.DataFrame] | None = None,
    allow_empty: bool = False,
) -> tuple[Cohort, DropLog]:
    """Pick one tumour sample per patient, filter its calls, dedupe to binary, intersect with survival.

    calls: sample_id, gene, variant_classification (+ filter); survival: patient_id,
    time_days, event; clinical: patient_id + covariates. The sample is chosen among
    every sequenced sample *before* calls are filtered, so filtering never swaps a
    patient's primary tumour for another sample. Patients kept are those with a
    usable survival record and a chosen sample; by default (as in the NetNorM code)
    also at least one selected call, else `keep_unmutated_patients` keeps them as
    all-zero rows. Every input call is accounted for: the calls counted in the drop
    log plus the cohort's mutated pairs make the calls given.

    `sequenced_samples` (the study's case list, case_lists/cases_sequenced.txt) are
    the samples profiled for mutations: calls of other samples are dropped and
    counted, and a listed sample without any call is sequenced with nothing found
    (an all-zero row with `keep_unmutated_patients`). Without it (None) the MAF's
    samples are the sequenced ones. `endpoints` (name -> survival table) are
    counted among the patients the cohort would hold with each (Cohort.endpoints).
    With `allow_empty`, a cohort none of whose patients has a usable record of the
    endpoint is returned empty (0 patients) rather than an error, when the patient
    ids match: the caller decides (a type left out for too few events).

    `log` (a fresh DropLog by default) is filled as the steps go, so a caller can
    write what was dropped before an InputFileError. That error names the file (or
    the setting, `preference_key` for the sample types) at the root of the problem.
    """
    log = log if log is not None else DropLog()
    if calls.empty and sequenced_samples is None:
        raise InputFileError(calls_path, f"{cancer}: the mutation file has a header but no mutation call")
    samples = calls["sample_id"]
    if sequenced_samples is not None:
        listed = pd.Series(list(dict.fromkeys(sequenced_samples)), dtype="string")
        outside = ~calls["sample_id"].isin(set(listed))
        reason = f"not in the case list {case_list_path} (not profiled for mutations)"
        unlisted = pd.unique(calls.loc[outside, "sample_id"])
        log.items("samples", pd.DataFrame({"sample_id": unlisted, "reason": reason}), "sample_id")
        log.count("calls", f"call of a sample not in the case list {case_list_path}", int(outside.sum()))
        calls = calls[~outside]
        samples = listed
    chosen, dropped_samples = select_tumour_samples(samples, sample_preference, sample_to_patient)
    log.items("samples", dropped_samples, "sample_id")
    if chosen.empty:
        reasons = dropped_samples["reason"].value_counts()
        types = sample_type_codes(pd.Series(pd.unique(samples), dtype="string")).value_counts()
        shown = ", ".join(f"{code} ({n})" for code, n in types.items()) or "none (not TCGA barcodes)"
        raise InputFileError(
            calls_path,
            f"{cancer}: no sample of the mutation file can be used ({'; '.join(f'{r}: {n}' for r, n in reasons.items())}); "
            f"sample types found: {shown}; {preference_key} is {list(sample_preference)}",
        )
    called = set(calls["sample_id"])  # samples with a call of any kind (a listed sample may have none)
    unused = ~calls["sample_id"].isin(set(chosen["sample_id"]))
    log.count("calls", "call of a sample not used (see the samples rows)", int(unused.sum()))
    calls = filter_calls(calls[~unused], classes, exclude_filters, log, calls_path, cancer)
    calls = calls.merge(chosen[["sample_id", "patient_id"]], on="sample_id", how="inner")
    pairs = calls[["patient_id", "gene"]].drop_duplicates()
    log.count("calls", "duplicate call of the same gene in the same patient (binarised)", len(calls) - len(pairs))

    kept_survival, dropped_survival = clean_survival(survival, survival_path, drop_zero_time=drop_zero_time)
    log.items("survival", dropped_survival, "patient_id")
    sequenced = set(chosen["patient_id"])
    with_calls = set(pairs["patient_id"])
    with_survival = set(kept_survival["patient_id"])
    no_survival = sorted(sequenced - with_survival - set(dropped_survival["patient_id"]))
    log.items("intersect", pd.DataFrame({"patient_id": no_survival, "reason": "no survival record"}), "patient_id")
    not_sequenced = sorted(with_survival - sequenced)
    absent = (
        f"not sequenced (no sample in the case list {case_list_path})"
        if sequenced_samples is not None
        else "no mutation call (not in the mutation file)"
    )
    log.items("intersect", pd.DataFrame({"patient_id": not_sequenced, "reason": absent}), "patient_id")
    candidates = sequenced if keep_unmutated_patients else with_calls
    if not keep_unmutated_patients:
        unmutated = pd.Series(sorted((sequenced - with_calls) & with_survival), dtype="string")
        sample_of = chosen.set_index("patient_id")["sample_id"]
        reason = pd.Series(
            "no selected call (all silent or filtered out; mutations.keep_unmutated_patients is off)",
            index=unmutated.index,
            dtype=object,
        )
        reason[~unmutated.map(sample_of).isin(called).to_numpy()] = (
            "sequenced (in the case list) without any call in the mutation file; "
            "mutations.keep_unmutated_patients is off"
        )
        log.items("intersect", pd.DataFrame({"patient_id": unmutated, "reason": reason}), "patient_id")
    without_survival = ~pairs["patient_id"].isin(with_survival)
    log.count(
        "calls",
        "call of a patient without usable survival (see the survival and intersect rows)",
        int(without_survival.sum()),
    )

    patient_order = sorted(candidates & with_survival)
    ids_match = bool(candidates & set(survival["patient_id"].dropna()))
    if not patient_order and not (allow_empty and ids_match):
        raise _nobody_left(cancer, survival, with_survival, candidates, survival_path, calls_path)
    pairs = pairs[pairs["patient_id"].isin(set(patient_order))]
    gene_order = np.array(sorted(pairs["gene"].unique()), dtype=object)
    rows = pd.Index(patient_order).get_indexer(pairs["patient_id"])
    cols = pd.Index(gene_order).get_indexer(pairs["gene"])
    mutations = sp.csr_matrix(
        (np.ones(len(pairs), dtype=np.int8), (rows, cols)), shape=(len(patient_order), len(gene_order))
    )
    mutations.sort_indices()
    patients = (
        kept_survival.set_index("patient_id").loc[patient_order].reset_index()[["patient_id", "time_days", "event"]]
    )
    patients.insert(1, "sample_id", chosen.set_index("patient_id").loc[patient_order, "sample_id"].to_numpy())
    patients["n_mutations"] = np.asarray(mutations.sum(axis=1)).ravel().astype(int)
    clinical = clinical.drop_duplicates("patient_id").set_index("patient_id").reindex(patient_order)
    clinical = clinical.rename_axis("patient_id").reset_index()
    counts = None
    if endpoints is not None:
        counts = endpoint_counts(endpoints, candidates, survival_path, drop_zero_time)
    return Cohort(cancer, patients, gene_order, mutations, clinical, counts), log


def endpoint_counts(
    endpoints: Mapping[str, pd.DataFrame], candidates: set, path: str | Path, drop_zero_time: bool = False
) -> pd.DataFrame:
    """Per endpoint: the `candidates` with a usable record (the survival step's rules) and their events."""
    rows = []
    for name, table in endpoints.items():
        kept, _ = clean_survival(table, path, drop_zero_time=drop_zero_time)
        kept = kept[kept["patient_id"].isin(candidates)]
        rows.append({"endpoint": name, "patients": len(kept), "events": int(kept["event"].sum())})
    return pd.DataFrame(rows, columns=ENDPOINT_COLUMNS)


def _nobody_left(
    cancer: str,
    survival: pd.DataFrame,
    with_survival: set,
    candidates: set,
    survival_path: str | Path,
    calls_path: str | Path,
) -> InputFileError:
    """The error for an empty cohort, blaming the file that emptied it."""
    if not with_survival:
        problem = "no patient has a usable survival record" if len(survival) else "no patient row"
        return InputFileError(survival_path, f"{cancer}: {problem} (see the survival rows of the drop log)")
    if not candidates:
        return InputFileError(
            calls_path, f"{cancer}: no patient has a selected mutation call (see the calls rows of the drop log)"
        )
    example_calls = ", ".join(sorted(candidates)[:3])
    example_survival = ", ".join(sorted(with_survival)[:3])
    return InputFileError(
        survival_path,
        f"{cancer}: no patient is in both this file ({len(with_survival)} with usable survival, e.g. "
        f"{example_survival}) and {calls_path} ({len(candidates)} with a selected call, e.g. {example_calls}): "
        "the patient ids do not match",
    )
