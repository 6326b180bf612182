"""Cohort summary table across cancer types, in the spirit of the NetNorM paper's data table."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from pancan.data.cohort import Cohort
from pancan.data.prepare import event_shortfall
from pancan.data.survival import ENDPOINTS


def summarize_cohort(cohort: Cohort, network_genes: Mapping[str, Sequence[str]], endpoint: str = "OS") -> dict:
    """Patients, events of the endpoint (`deaths`), genes, mutations per patient and network coverage of one cohort.

    An empty cohort (a type none of whose patients has the endpoint, left out of
    the benchmark) has NaN medians and zero counts.
    """
    per_patient = cohort.patients["n_mutations"].to_numpy()
    empty = len(per_patient) == 0
    row = {
        "cancer": cohort.cancer,
        "patients": len(cohort.patients),
        "deaths": int(cohort.patients["event"].sum()),
        "endpoint": endpoint,
        "median_followup_days": float(np.median(cohort.patients["time_days"])) if not empty else float("nan"),
        "genes_mutated": len(cohort.genes),
        "mutated_pairs": int(cohort.mutations.nnz),
        "mutations_median": float(np.median(per_patient)) if not empty else float("nan"),
        "mutations_min": int(per_patient.min()) if not empty else 0,
        "mutations_max": int(per_patient.max()) if not empty else 0,
    }
    mutated = pd.Index(cohort.genes)
    for name, genes in network_genes.items():
        covered = int(mutated.isin(list(genes)).sum())
        row[f"genes_in_{name}"] = covered
        row[f"fraction_in_{name}"] = round(covered / max(len(mutated), 1), 4)
    return row


def endpoint_columns(cohorts: Sequence[Cohort]) -> pd.DataFrame:
    """patients_<EP> and events_<EP> of every endpoint any cohort's data has (OS, DSS, DFI, PFI order), per cohort.

    A cohort whose data lacks an endpoint has no value there.
    """
    rows = []
    for cohort in cohorts:
        row = {"cancer": cohort.cancer}
        table = cohort.endpoints if cohort.endpoints is not None else pd.DataFrame(columns=["endpoint"])
        for entry in table.itertuples():
            row[f"patients_{entry.endpoint}"] = int(entry.patients)
            row[f"events_{entry.endpoint}"] = int(entry.events)
        rows.append(row)
    frame = pd.DataFrame(rows)
    ordered = [f"{kind}_{e}" for e in ENDPOINTS for kind in ("patients", "events") if f"{kind}_{e}" in frame.columns]
    return frame[["cancer", *ordered]].astype({column: "Int64" for column in ordered})


def benchmark_decision(summary: pd.DataFrame, min_events: int) -> pd.DataFrame:
    """The summary with `benchmarked` (enough events of the type's endpoint) and `note` (why not) columns."""
    notes = [event_shortfall(int(r.deaths), r.endpoint, min_events) for r in summary.itertuples()]
    summary = summary.copy()
    summary["benchmarked"] = [note is None for note in notes]
    summary["note"] = [f"left out: {note}" if note else "" for note in notes]
    return summary


def left_out_sentence(summary: pd.DataFrame, min_events: int | None = None) -> str | None:
    """'2 of 9 types have fewer events ... and are left out of ...: TGCT (4 OS events), ...', or None.

    Read from the summary's `benchmarked` column (None without one, or when every type is benchmarked).
    """
    if "benchmarked" not in summary.columns:
        return None
    out = summary[~summary["benchmarked"].astype(bool)]
    if out.empty:
        return None
    threshold = f"survival.min_events ({min_events})" if min_events is not None else "survival.min_events"
    parts = [
        f"{r.cancer} ({int(r.deaths)} {r.endpoint} event{'s' if int(r.deaths) != 1 else ''})" for r in out.itertuples()
    ]
    return (
        f"{len(out)} of {len(summary)} types have fewer events of their endpoint than {threshold} and are left out "
        f"of the benchmark and the stratification: {', '.join(parts)}"
    )


LOW_COVERAGE = 0.2  # real cohorts: 50-60% (STRING 900) to 90% (Pathway Commons) of mutated genes


def coverage_notes(cohort: Cohort, network_genes: Mapping[str, Sequence[str]], shown: int = 5) -> list[tuple[int, str]]:
    """(log level, message) per network: how many mutated genes it covers and the most often mutated ones it lacks.

    Outdated aliases show up among the genes it lacks; a coverage below
    LOW_COVERAGE is a warning, as it means the symbols do not match (lower-case
    symbols, or Entrez/Ensembl identifiers instead of HGNC symbols).
    """
    patients_per_gene = pd.Series(np.asarray(cohort.mutations.sum(axis=0)).ravel(), index=cohort.genes)
    notes = []
    if not len(patients_per_gene):
        return notes  # an empty cohort (left out of the benchmark): nothing to cover
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


def summarize_cohorts(
    cohorts: Sequence[Cohort],
    network_genes: Mapping[str, Sequence[str]],
    endpoints: Mapping[str, str] | None = None,
    min_events: int | None = None,
) -> pd.DataFrame:
    """One row per cohort (summarize_cohort), the events of every endpoint, and, given `min_events`, whether the
    type is benchmarked. `endpoints` maps each type to its endpoint (OS by default)."""
    endpoints = endpoints or {}
    summary = pd.DataFrame([summarize_cohort(c, network_genes, endpoints.get(c.cancer, "OS")) for c in cohorts])
    if any(c.endpoints is not None for c in cohorts):
        summary = summary.merge(endpoint_columns(cohorts), on="cancer", how="left")
    if min_events is not None:
        summary = benchmark_decision(summary, min_events)
    return summary
