"""Kaplan-Meier curves of cross-validated risk groups, with a number-at-risk table and a log-rank test.

Risk groups are formed within each outer test fold (the fold's own predictions only) and
then pooled, so each patient of one repeat appears once (Simon et al. 2011's
cross-validated Kaplan-Meier curves). The representation shown is chosen without the test
folds (by its mean inner-CV C, or configured).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.plotting import add_at_risk_counts
from lifelines.statistics import logrank_test

from pancan.figures.style import label, styled

GROUP_COLOURS = {"low risk": "#4c72b0", "high risk": "#c44e52"}
DAYS_PER_YEAR = 365.25


def tie_aware_split(risk: np.ndarray) -> np.ndarray:
    """True for the high-risk group: risks above a threshold, chosen among the observed values so that the groups
    are as equal in size as possible. Tied risks always share a group; all risks equal gives one group (all False)."""
    risk = np.asarray(risk, dtype=float)
    values = np.unique(risk)
    if len(values) < 2:
        return np.zeros(len(risk), dtype=bool)
    ordered = np.sort(risk)
    above = len(risk) - np.searchsorted(ordered, values[:-1], side="right")  # group size above each threshold
    threshold = values[:-1][int(np.argmin(np.abs(2 * above - len(risk))))]
    return risk > threshold


def risk_groups(predictions: pd.DataFrame) -> pd.Series:
    """'high risk' / 'low risk' per prediction row, split within each test fold (repeat, fold)."""
    high = predictions.groupby(["repeat", "fold"], group_keys=False)["risk"].transform(
        lambda risk: pd.Series(tie_aware_split(risk.to_numpy()), index=risk.index)
    )
    return pd.Series(np.where(high.astype(bool), "high risk", "low risk"), index=predictions.index)


def chosen_representation(folds: pd.DataFrame, candidates, configured: str = "inner_cv") -> str:
    """The representation a Kaplan-Meier figure shows, chosen without the test folds.

    "inner_cv": highest mean inner cross-validation C over the outer folds (training data
    only); otherwise the configured name.
    """
    candidates = list(candidates)
    if configured != "inner_cv":
        if configured not in candidates:
            raise ValueError(f"report.kaplan_meier_representation {configured!r} was not benchmarked ({candidates})")
        return configured
    inner = folds[folds["representation"].isin(candidates)].groupby("representation")["inner_c"].mean()
    if inner.empty:
        raise ValueError("no mutation representation in the results")
    return sorted(inner.index, key=lambda name: (-inner[name], candidates.index(name)))[0]


@styled
def kaplan_meier_risk_groups(predictions: pd.DataFrame, patients: pd.DataFrame, title: str, repeat: int | None = 0):
    """predictions of one representation (repeat, fold, patient_id, risk); patients: patient_id, time_days, event.

    Returns (figure, log-rank p or None when the model separated nobody).
    """
    if repeat is not None:
        predictions = predictions[predictions["repeat"] == repeat]
    table = predictions.assign(group=risk_groups(predictions)).merge(patients, on="patient_id")
    constant = predictions.groupby(["repeat", "fold"])["risk"].nunique() == 1  # folds whose model separated nobody
    table["years"] = table["time_days"] / DAYS_PER_YEAR
    figure, axis = plt.subplots(figsize=(3.6, 3.3))
    fitters = []
    for group in ("low risk", "high risk"):
        rows = table[table["group"] == group]
        if rows.empty:
            continue
        fitter = KaplanMeierFitter(label=f"{group} (n={len(rows)})").fit(rows["years"], rows["event"])
        fitter.plot_survival_function(ax=axis, ci_show=False, color=GROUP_COLOURS[group], linewidth=1.2)
        fitters.append(fitter)
    p_value = None
    if len(fitters) == 2:
        low, high = table[table["group"] == "low risk"], table[table["group"] == "high risk"]
        p_value = float(logrank_test(low["years"], high["years"], low["event"], high["event"]).p_value)
        note = f"log-rank p = {p_value:.2g}"
    else:
        note = "no separation: every fold's model\npredicted the same risk for all"
    if 0 < constant.sum() < len(constant):
        note += f"\n{constant.sum()} of {len(constant)} folds: same risk for all\n(their patients: low risk)"
    axis.set_xlabel("years since diagnosis")
    axis.set_ylabel("overall survival")
    axis.set_ylim(0, 1.05)
    axis.set_title(title, pad=16)
    axis.legend(
        frameon=False,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=2,
        fontsize=6,
        borderaxespad=0.1,
        handlelength=1.5,
    )
    axis.text(0.98, 0.97, note, transform=axis.transAxes, ha="right", va="top", fontsize=7)
    add_at_risk_counts(*fitters, ax=axis, rows_to_show=["At risk"], fig=figure)
    figure.tight_layout()
    return figure, p_value


def representation_title(cancer: str, name: str) -> str:
    return f"{cancer}: {label(name)} (cross-validated risk groups)"
