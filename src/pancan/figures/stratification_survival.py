"""Kaplan-Meier curves of the subtypes with a number-at-risk table and the log-rank p-value."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sksurv.nonparametric import kaplan_meier_estimator

from pancan.figures.stratification_consensus import subtype_colour
from pancan.figures.style import RC


def number_at_risk(times: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Patients still followed (time >= t) at each t."""
    return (np.asarray(times)[None, :] >= np.asarray(at)[:, None]).sum(axis=1)


def subtype_kaplan_meier(table: pd.DataFrame, p_value: float, title: str):
    """table: subtype, time_days, event (clustered patients); p_value: the multi-group log-rank test."""
    years = table["time_days"].to_numpy() / 365.25
    upper = np.ceil(np.quantile(years, 0.95))
    ticks = np.arange(0, upper + 1, 2 if upper > 6 else 1)
    subtypes = sorted(table["subtype"].unique())
    with plt.rc_context(RC):
        figure, (axis, risk) = plt.subplots(
            2, 1, figsize=(3.6, 3.3), height_ratios=[3, 0.25 + 0.16 * len(subtypes)], sharex=True
        )
        for subtype in subtypes:
            mask = (table["subtype"] == subtype).to_numpy()
            time, survival = kaplan_meier_estimator(table["event"].to_numpy(dtype=bool)[mask], years[mask])
            axis.step(
                np.concatenate([[0], time]),
                np.concatenate([[1], survival]),
                where="post",
                color=subtype_colour(subtype),
                label=f"subtype {subtype} (n={mask.sum()})",
            )
        axis.set_ylabel("overall survival")
        axis.set_ylim(0, 1.02)
        axis.set_xlim(0, ticks[-1])
        text = "log-rank not tested (a subtype < 2 patients)" if np.isnan(p_value) else f"log-rank p = {p_value:.2g}"
        axis.text(0.98, 0.97, text, transform=axis.transAxes, ha="right", va="top")
        axis.legend(frameon=False, loc="upper right", bbox_to_anchor=(1.0, 0.92))
        axis.set_title(title)
        risk.set_ylim(-0.5, len(subtypes) - 0.5)
        risk.invert_yaxis()
        for row, subtype in enumerate(subtypes):
            mask = (table["subtype"] == subtype).to_numpy()
            for tick, count in zip(ticks, number_at_risk(years[mask], ticks)):
                risk.text(tick, row, str(count), ha="center", va="center", fontsize=7, color=subtype_colour(subtype))
        risk.set_yticks(range(len(subtypes)))
        risk.set_yticklabels([f"subtype {s}" for s in subtypes])
        risk.tick_params(axis="y", length=0, pad=10)
        risk.set_title("number at risk", fontsize=7, loc="left")
        risk.spines["left"].set_visible(False)
        risk.set_xticks(ticks)
        risk.set_xlabel("years")
        figure.tight_layout(h_pad=0.3)
    return figure
