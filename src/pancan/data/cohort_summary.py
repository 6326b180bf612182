"""Cohort summary table across cancer types, in the spirit of the NetNorM paper's data table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from pancan.data.cohort import Cohort


def summarize_cohort(cohort: Cohort, network_genes: Mapping[str, Sequence[str]]) -> dict:
    """Patients, deaths, genes, mutations per patient and network coverage of one cohort."""
    per_patient = cohort.patients["n_mutations"].to_numpy()
    row = {
        "cancer": cohort.cancer,
        "patients": int(len(cohort.patients)),
        "deaths": int(cohort.patients["event"].sum()),
        "median_followup_days": float(np.median(cohort.patients["time_days"])),
        "genes_mutated": int(len(cohort.genes)),
        "mutated_pairs": int(cohort.mutations.nnz),
        "mutations_median": float(np.median(per_patient)),
        "mutations_min": int(per_patient.min()),
        "mutations_max": int(per_patient.max()),
    }
    mutated = pd.Index(cohort.genes)
    for name, genes in network_genes.items():
        covered = int(mutated.isin(list(genes)).sum())
        row[f"genes_in_{name}"] = covered
        row[f"fraction_in_{name}"] = round(covered / max(len(mutated), 1), 4)
    return row


def summarize_cohorts(cohorts: Sequence[Cohort], network_genes: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    return pd.DataFrame([summarize_cohort(c, network_genes) for c in cohorts])
