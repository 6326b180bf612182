"""Kaplan-Meier curves of the subtypes, drawn by the report's one Kaplan-Meier figure (`survival_curves`)."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from pancan.figures.stratification_consensus import subtype_colour
from pancan.figures.style import styled
from pancan.figures.survival_curves import SurvivalGroup, kaplan_meier_figure, years


@styled
def subtype_kaplan_meier(table: pd.DataFrame, title: str, endpoint: str = "OS") -> tuple[Figure, float | None]:
    """table: subtype, time_days, event (the clustered patients). Returns (figure, the k-group log-rank p, or None
    when a subtype has fewer than 2 patients), the test `logrank_by_k` writes to logrank.tsv for the chosen k."""
    groups = [
        SurvivalGroup(f"subtype {subtype}", subtype_colour(subtype), years(rows["time_days"]), rows["event"])
        for subtype, rows in table.groupby("subtype", sort=True)
    ]
    untested = "log-rank not tested (a subtype of fewer than 2 patients)"
    return kaplan_meier_figure(groups, title, untested=untested, endpoint=endpoint)
