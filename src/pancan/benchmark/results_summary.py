"""Across folds and cancer types: mutation + clinical combinations, mean/sd tables, grid-edge counts."""

from __future__ import annotations

import pandas as pd
from scipy.stats import rankdata
from sksurv.util import Surv

from pancan.benchmark.comparisons import mean_with_interval
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
    """Mean, standard deviation and 95% interval of the C-indices per cancer x representation; Uno's truncation time.

    The interval is the corrected repeated cross-validation one (the variance of the paired
    tests, `corrected_interval`): the outer folds share training patients, so the plain
    standard error would be far too narrow.
    """
    rows = []
    for (cancer, name), group in folds.groupby(["cancer", "representation"], sort=True):
        row = {"cancer": cancer, "representation": name, "folds": len(group)}
        fraction = float((group["n_test"] / group["n_train"]).mean())
        for metric in ("harrell_c", "uno_c"):
            row.update(mean_with_interval(group[metric].dropna().to_numpy(dtype=float), fraction, metric))
        row["uno_tau_days"] = group["uno_tau_days"].iloc[0]
        row["selected_median"] = group["n_selected"].median()
        rows.append(row)
    return pd.DataFrame(rows)  # full precision: presentation rounds once


NEAR_TIE = 0.001  # inner scores closer than this are within the noise of the solver and of the inner splits


def grid_edges(folds: pd.DataFrame) -> pd.DataFrame:
    """Per cancer x representation: outer folds whose choice sits at an edge of its grid, or barely won.

    A choice at the edge means the grid may not contain the best value: widen it there.
    The path's start is its strongest penalty (or fewest boosting stages), its end the
    weakest (most). `empty_model` counts folds that selected no feature (constant
    predictions, C = 0.5); `near_ties` folds whose chosen grid point beat the runner-up by
    less than 0.001 of inner C; `solver_warnings` folds with a solve that did not converge.
    Counts are empty where they do not apply (no searched parameter).
    """
    tuned = folds[folds["penalty_index"].notna()].copy()
    for column in ("parameter", "parameter_edge", "penalty_edge"):
        tuned[column] = tuned[column].fillna("")
    for column in ("inner_margin", "solver_warnings"):
        if column not in tuned:
            tuned[column] = pd.NA
    starts, ends = {"strongest", "fewest"}, {"weakest", "most"}
    grouped = tuned.groupby(["cancer", "representation"], sort=True)
    table = grouped.agg(
        folds=("fold", "size"),
        searched=("parameter", lambda s: bool((s != "").any())),
        parameter_lowest=("parameter_edge", lambda s: int((s == "lowest").sum())),
        parameter_highest=("parameter_edge", lambda s: int((s == "highest").sum())),
        path_start=("penalty_edge", lambda s: int(s.isin(starts).sum())),
        path_end=("penalty_edge", lambda s: int(s.isin(ends).sum())),
        empty_model=("n_selected", lambda s: int((s == 0).sum())),
        near_ties=("inner_margin", lambda s: int((pd.to_numeric(s) < NEAR_TIE).sum())),
        solver_warnings=("solver_warnings", lambda s: int((pd.to_numeric(s).fillna(0) > 0).sum())),
    ).reset_index()
    for column in ("parameter_lowest", "parameter_highest"):
        table[column] = table[column].astype("Int64").where(table["searched"])
    return table.drop(columns="searched")
