"""Across folds and cancer types: mutation + clinical combinations, mean/sd tables, paired Wilcoxon tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata, wilcoxon

from pancan.benchmark.metrics import fold_metrics

FOLD_KEY = ["repeat", "fold"]


def combine_with_clinical(mutation: pd.DataFrame, clinical: pd.DataFrame, survival: pd.DataFrame, name: str,
                          tau: float | None = None) -> pd.DataFrame:
    """Per test fold, average the two models' rank predictions (ranks scaled to (0, 1]) and score the average.

    mutation / clinical: predictions (repeat, fold, patient_id, risk) on the same
    outer folds; survival: patient_id, time_days, event of the whole cohort (the
    training rows of a fold, needed by Uno's C, are the cohort minus its test rows).
    """
    from sksurv.util import Surv

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
        rows.append({"representation": name, "repeat": repeat, "fold": fold, "n_test": len(group),
                     "deaths_test": int(test["event"].sum()), **fold_metrics(y_train, y_test, risk, tau)})
    return pd.DataFrame(rows)


def summarize_folds(folds: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation of the C-indices per cancer x representation."""
    grouped = folds.groupby(["cancer", "representation"], sort=True)
    table = grouped.agg(
        folds=("harrell_c", "size"),
        harrell_c_mean=("harrell_c", "mean"),
        harrell_c_sd=("harrell_c", "std"),
        uno_c_mean=("uno_c", "mean"),
        uno_c_sd=("uno_c", "std"),
        selected_median=("n_selected", "median"),
    ).reset_index()
    return table.round(4)


def paired_wilcoxon(folds: pd.DataFrame, comparisons: list[list[str]], metric: str = "harrell_c") -> pd.DataFrame:
    """Two-sided Wilcoxon signed-rank test of `metric` between two representations over the same folds, per cancer."""
    rows = []
    for cancer, per_cancer in folds.groupby("cancer", sort=True):
        wide = per_cancer.pivot_table(index=FOLD_KEY, columns="representation", values=metric)
        for first, second in comparisons:
            if first not in wide.columns or second not in wide.columns:
                continue
            pair = wide[[first, second]].dropna()
            difference = pair[first] - pair[second]
            if len(pair) == 0 or np.allclose(difference, 0):
                statistic, p_value = np.nan, 1.0
            else:
                statistic, p_value = wilcoxon(pair[first], pair[second])
            rows.append({"cancer": cancer, "first": first, "second": second, "metric": metric, "folds": len(pair),
                         "mean_difference": float(difference.mean()) if len(pair) else np.nan,
                         "statistic": statistic, "p_value": p_value})
    return pd.DataFrame(rows, columns=["cancer", "first", "second", "metric", "folds", "mean_difference", "statistic", "p_value"])
