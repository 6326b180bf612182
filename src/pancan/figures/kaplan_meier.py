"""Kaplan-Meier curves of cross-validated risk groups, with a number-at-risk table and a log-rank test.

Risk groups are formed within each outer test fold (the fold's own predictions only) and
then pooled, so each patient of one repeat appears once (Simon et al. 2011's
cross-validated Kaplan-Meier curves). The representation shown is chosen without the test
folds (by its mean inner-CV C, or configured).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pancan.figures.style import label, styled
from pancan.figures.survival_curves import SurvivalGroup, kaplan_meier_figure, years

GROUP_COLOURS = {"low risk": "#4c72b0", "high risk": "#c44e52"}


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
def kaplan_meier_risk_groups(
    predictions: pd.DataFrame, patients: pd.DataFrame, title: str, repeat: int | None = 0, endpoint: str = "OS"
) -> tuple[Figure, float | None]:
    """predictions of one representation (repeat, fold, patient_id, risk); patients: patient_id, time_days, event.

    Drawn by the report's one Kaplan-Meier figure (`survival_curves`). Returns (figure, log-rank p, or None when
    the model separated nobody).
    """
    if repeat is not None:
        predictions = predictions[predictions["repeat"] == repeat]
    table = predictions.assign(group=risk_groups(predictions)).merge(patients, on="patient_id")
    constant = predictions.groupby(["repeat", "fold"])["risk"].nunique() == 1  # folds whose model separated nobody
    groups = [
        SurvivalGroup(group, GROUP_COLOURS[group], years(rows["time_days"]), rows["event"].astype(bool))
        for group, rows in ((g, table[table["group"] == g]) for g in ("low risk", "high risk"))
    ]
    note = ""
    if 0 < constant.sum() < len(constant):
        note = f"{constant.sum()} of {len(constant)} folds: same risk for all (their patients: low risk)"
    if all(len(g.time) for g in groups):
        return kaplan_meier_figure(groups, title, note=note, endpoint=endpoint)
    untested = "no separation: every fold's model predicted the same risk for all"
    return kaplan_meier_figure(groups, title, note=note, untested=untested, endpoint=endpoint)


def representation_title(cancer: str, name: str) -> str:
    """Title of a benchmark Kaplan-Meier figure: the cancer type and the representation shown."""
    return f"{cancer}: {label(name)} (cross-validated risk groups)"
