"""Across folds and cancer types: mutation + clinical combinations, mean/sd tables, grid-edge counts."""

from __future__ import annotations

import pandas as pd
from scipy.stats import rankdata
from sksurv.util import Surv

from pancan.benchmark.metrics import fold_metrics

FOLD_KEY = ["repeat", "fold"]


def combine_with_clinical(
    mutation: pd.DataFrame, clinical: pd.DataFrame, survival: pd.DataFrame, name: str, tau: float | None = None
) -> pd.DataFrame:
    """Per test fold, average the two models' rank predictions (ranks scaled to (0, 1]) and score the average.

    mutation / clinical: predictions (repeat, fold, patient_id, risk) on the same
    outer folds; survival: patient_id, time_days, event of the whole cohort (the
    training rows of a fold, needed by Uno's C, are the cohort minus its test rows).
    """
    merged = mutation.merge(clinical, on=[*FOLD_KEY, "patient_id"], suffixes=("_mutation", "_clinical"))
    if len(merged) != len(mutation):
        raise ValueError(f"{name}: clinical predictions do not cover the same test folds as the mutation model")
    survival = survival.set_index("patient_id")
    rows = []
    for (repeat, fold), group in merged.groupby(FOLD_KEY, sort=True):
        risk = (rankdata(group["risk_mutation"]) + rankdata(group["risk_clinical"])) / (2 * len(group))
        test = survival.loc[group["patient_id"]]
        train = survival.drop(index=group["patient_id"])
        y_test = Surv.from_arrays(test["event"].astype(bool), test["time_days"])
        y_train = Surv.from_arrays(train["event"].astype(bool), train["time_days"])
        rows.append(
            {
                "representation": name,
                "repeat": repeat,
                "fold": fold,
                "n_train": len(train),
                "n_test": len(group),
                "deaths_test": int(test["event"].sum()),
                **fold_metrics(y_train, y_test, risk, tau),
            }
        )
    return pd.DataFrame(rows)


def summarize_folds(folds: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation of the C-indices per cancer x representation, and Uno's truncation time."""
    grouped = folds.groupby(["cancer", "representation"], sort=True)
    table = grouped.agg(
        folds=("harrell_c", "size"),
        harrell_c_mean=("harrell_c", "mean"),
        harrell_c_sd=("harrell_c", "std"),
        uno_c_mean=("uno_c", "mean"),
        uno_c_sd=("uno_c", "std"),
        uno_tau_days=("uno_tau_days", "first"),
        selected_median=("n_selected", "median"),
    ).reset_index()
    return table.round(4)


def grid_edges(folds: pd.DataFrame) -> pd.DataFrame:
    """Per cancer x representation: outer folds whose chosen parameter or penalty is at an edge of its grid.

    A choice at the edge means the grid may not contain the best value: widen it there.
    `empty_model` counts folds that selected no feature (constant predictions, C = 0.5).
    """
    tuned = folds[folds["penalty_index"].notna()].copy()
    for column in ("parameter_edge", "penalty_edge"):
        tuned[column] = tuned[column].fillna("")
    grouped = tuned.groupby(["cancer", "representation"], sort=True)
    return grouped.agg(
        folds=("fold", "size"),
        parameter_lowest=("parameter_edge", lambda s: int((s == "lowest").sum())),
        parameter_highest=("parameter_edge", lambda s: int((s == "highest").sum())),
        penalty_strongest=("penalty_edge", lambda s: int((s == "strongest").sum())),
        penalty_weakest=("penalty_edge", lambda s: int((s == "weakest").sum())),
        empty_model=("n_selected", lambda s: int((s == 0).sum())),
    ).reset_index()
