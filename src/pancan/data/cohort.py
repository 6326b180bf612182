"""A cancer cohort: sparse binary patient x gene mutations aligned with survival and covariates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from pancan.atomic import atomic_path, write_table_atomic, write_text_atomic
from pancan.data.barcodes import select_tumour_samples
from pancan.data.drop_log import DropLog
from pancan.errors import InputFileError
from pancan.data.survival import clean_survival

UNKNOWN_GENES = {"", "UNKNOWN", "."}
COHORT_FILES = ("mutations.npz", "patients.tsv", "genes.txt", "clinical.tsv")


@dataclass
class Cohort:
    """Row i of `mutations` is patients.iloc[i]; column j is genes[j] (sorted symbols)."""

    cancer: str
    patients: pd.DataFrame  # patient_id, time_days, event, n_mutations
    genes: np.ndarray
    mutations: sp.csr_matrix  # int8, 1 = at least one selected call
    clinical: pd.DataFrame  # patient_id + covariates, same row order as patients

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        with atomic_path(directory / "mutations.npz") as tmp, open(tmp, "wb") as handle:
            sp.save_npz(handle, self.mutations.tocsr(), compressed=True)
        write_table_atomic(self.patients, directory / "patients.tsv")
        write_text_atomic(directory / "genes.txt", "\n".join(self.genes) + "\n")
        write_table_atomic(self.clinical, directory / "clinical.tsv")

    @classmethod
    def load(cls, directory: str | Path, cancer: str | None = None) -> "Cohort":
        directory = Path(directory)
        for name in COHORT_FILES:
            if not (directory / name).exists():
                raise InputFileError(directory / name, "cohort file missing; rerun prepare_cohort")
        patients = pd.read_csv(directory / "patients.tsv", sep="\t", dtype={"patient_id": str})
        genes = np.array((directory / "genes.txt").read_text().split("\n")[:-1], dtype=object)
        mutations = sp.load_npz(directory / "mutations.npz").tocsr()
        clinical = pd.read_csv(directory / "clinical.tsv", sep="\t", dtype={"patient_id": str})
        if mutations.shape != (len(patients), len(genes)):
            raise InputFileError(directory / "mutations.npz", f"shape {mutations.shape} does not match {len(patients)} patients x {len(genes)} genes")
        return cls(cancer or directory.name, patients, genes, mutations, clinical)


def build_cohort(
    cancer: str,
    calls: pd.DataFrame,
    survival: pd.DataFrame,
    clinical: pd.DataFrame,
    *,
    classes: Sequence[str],
    sample_preference: Sequence[str],
    sample_to_patient: Mapping[str, str] | None = None,
    drop_zero_time: bool = False,
    survival_path: str | Path = "survival",
) -> tuple[Cohort, DropLog]:
    """Filter calls, pick one tumour sample per patient, dedupe to binary, intersect with survival.

    calls: sample_id, gene, variant_classification; survival: patient_id,
    time_days, event; clinical: patient_id + covariates. Patients kept are those
    with at least one selected call *and* a usable survival record.
    """
    log = DropLog()
    genes = calls["gene"].fillna("")
    unknown = genes.str.upper().isin(UNKNOWN_GENES)
    log.count("calls", "unknown or empty gene symbol", int(unknown.sum()))
    calls = calls[~unknown]
    selected = calls["variant_classification"].isin(list(classes))
    for variant_class, n in calls.loc[~selected, "variant_classification"].fillna("<missing>").value_counts().items():
        log.count("calls", f"variant class not selected: {variant_class}", int(n))
    calls = calls[selected]

    chosen, dropped_samples = select_tumour_samples(calls["sample_id"], sample_preference, sample_to_patient)
    log.items("samples", dropped_samples, "sample_id")
    calls = calls.merge(chosen[["sample_id", "patient_id"]], on="sample_id", how="inner")
    pairs = calls[["patient_id", "gene"]].drop_duplicates()
    log.count("calls", "duplicate call of the same gene in the same patient (binarised)", len(calls) - len(pairs))

    kept_survival, dropped_survival = clean_survival(survival, survival_path, drop_zero_time=drop_zero_time)
    log.items("survival", dropped_survival, "patient_id")
    with_calls = set(pairs["patient_id"])
    with_survival = set(kept_survival["patient_id"])
    no_survival = sorted(with_calls - with_survival - set(dropped_survival["patient_id"]))
    log.items("intersect", pd.DataFrame({"patient_id": no_survival, "reason": "no survival record"}), "patient_id")
    no_calls = sorted(with_survival - with_calls)
    log.items("intersect", pd.DataFrame({"patient_id": no_calls, "reason": "no selected mutation call"}), "patient_id")

    patient_order = sorted(with_calls & with_survival)
    if not patient_order:
        raise InputFileError(survival_path, f"{cancer}: no patient has both a selected mutation call and usable survival")
    pairs = pairs[pairs["patient_id"].isin(with_survival)]
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
    patients["n_mutations"] = np.asarray(mutations.sum(axis=1)).ravel().astype(int)
    clinical = clinical.drop_duplicates("patient_id").set_index("patient_id").reindex(patient_order)
    clinical = clinical.rename_axis("patient_id").reset_index()
    return Cohort(cancer, patients, gene_order, mutations, clinical), log
