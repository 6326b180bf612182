"""Cohort summary table across cancer types, in the spirit of the NetNorM paper's data table."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from pancan.data.cohort import Cohort


def summarize_cohort(cohort: Cohort, network_genes: Mapping[str, Sequence[str]]) -> dict:
    """Patients, deaths, genes, mutations per patient and network coverage of one cohort."""
    per_patient = cohort.patients["n_mutations"].to_numpy()
    row = {
        "cancer": cohort.cancer,
        "patients": len(cohort.patients),
        "deaths": int(cohort.patients["event"].sum()),
        "median_followup_days": float(np.median(cohort.patients["time_days"])),
        "genes_mutated": len(cohort.genes),
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


LOW_COVERAGE = 0.2  # real cohorts: 50-60% (STRING 900) to 90% (Pathway Commons) of mutated genes


def coverage_notes(cohort: Cohort, network_genes: Mapping[str, Sequence[str]], shown: int = 5) -> list[tuple[int, str]]:
    """(log level, message) per network: how many mutated genes it covers and the most often mutated ones it lacks.

    Outdated aliases show up among the genes it lacks; a coverage below
    LOW_COVERAGE is a warning, as it means the symbols do not match (lower-case
    symbols, or Entrez/Ensembl identifiers instead of HGNC symbols).
    """
    patients_per_gene = pd.Series(np.asarray(cohort.mutations.sum(axis=0)).ravel(), index=cohort.genes)
    notes = []
    for name, genes in network_genes.items():
        covered = patients_per_gene.index.isin(list(genes))
        missing = patients_per_gene[~covered].sort_values(ascending=False, kind="stable").head(shown)
        fraction = covered.mean() if len(covered) else 0.0
        message = (
            f"{cohort.cancer}: {int(covered.sum())} of {len(covered)} mutated genes ({fraction:.1%}) are in network {name}; "
            f"most often mutated of the others: {', '.join(f'{g} ({n} patients)' for g, n in missing.items()) or 'none'}"
        )
        if fraction < LOW_COVERAGE:
            notes.append(
                (
                    logging.WARNING,
                    message + ". Coverage this low means the gene symbols do not match the "
                    "network's HGNC symbols (lower-case symbols? Entrez or Ensembl ids?)",
                )
            )
        else:
            notes.append((logging.INFO, message))
    return notes


def summarize_cohorts(cohorts: Sequence[Cohort], network_genes: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    return pd.DataFrame([summarize_cohort(c, network_genes) for c in cohorts])
