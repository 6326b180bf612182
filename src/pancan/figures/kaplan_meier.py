"""Kaplan-Meier curves of test-set risk groups, pooled over the outer folds, with a log-rank test."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sksurv.compare import compare_survival
from sksurv.nonparametric import kaplan_meier_estimator
from sksurv.util import Surv

from pancan.figures.style import RC


def risk_groups(predictions: pd.DataFrame) -> pd.Series:
    """'high' / 'low': above / at most the median predicted risk within each test fold."""
    median = predictions.groupby(["repeat", "fold"])["risk"].transform("median")
    return pd.Series(np.where(predictions["risk"] > median, "high", "low"), index=predictions.index)


def kaplan_meier_risk_groups(predictions: pd.DataFrame, patients: pd.DataFrame, title: str, repeat: int | None = 0):
    """predictions of one representation (repeat, fold, patient_id, risk); patients: patient_id, time_days, event.

    With repeat=0 every patient appears once (one test fold per repeat); None pools all repeats.
    """
    if repeat is not None:
        predictions = predictions[predictions["repeat"] == repeat]
    table = predictions.assign(group=risk_groups(predictions)).merge(patients, on="patient_id")
    y = Surv.from_arrays(table["event"].astype(bool), table["time_days"] / 365.25)
    _, p_value = compare_survival(y, table["group"].to_numpy())
    with plt.rc_context(RC):
        figure, axis = plt.subplots(figsize=(3.4, 2.6))
        for group, style in (("low", "#4c72b0"), ("high", "#c44e52")):
            mask = (table["group"] == group).to_numpy()
            time, survival = kaplan_meier_estimator(y["event"][mask], y["time"][mask])
            axis.step(time, survival, where="post", color=style, label=f"{group} risk (n={mask.sum()})")
        axis.set_xlabel("years")
        axis.set_ylabel("overall survival")
        axis.set_ylim(0, 1.02)
        axis.set_title(title)
        axis.legend(frameon=False, loc="lower left")
        axis.text(0.98, 0.95, f"log-rank p = {p_value:.2g}", transform=axis.transAxes, ha="right", va="top")
        figure.tight_layout()
    return figure, float(p_value)
