"""The pooled pan-cancer model against the per-type models: mean C per cancer type, with 95% intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from pancan.benchmark.pooled import POOLED_ROW
from pancan.figures.style import PAGE_WIDTH, colour, label, new_figure, ordered, styled


@styled
def pooled_figure(summary: pd.DataFrame) -> Figure:
    """One panel per representation: per cancer type (rows; the stratified C over every type last), the per-type
    model's mean C (open marker) and the pooled model's (filled), each with its corrected 95% interval.
    Rows whose paired difference has q < 0.05 are marked with an asterisk."""
    names = ordered(summary["representation"].unique())
    cancers = sorted(set(summary["cancer"]) - {POOLED_ROW})
    rows = [*cancers, POOLED_ROW] if (summary["cancer"] == POOLED_ROW).any() else cancers
    columns = min(len(names), 3)
    n_rows = -(-len(names) // columns)
    figure = new_figure(PAGE_WIDTH, n_rows * (0.22 * len(rows) + 0.9) + 0.5)
    axes = figure.subplots(n_rows, columns, squeeze=False).ravel()
    positions = {cancer: len(rows) - 1 - index for index, cancer in enumerate(rows)}
    for axis, name in zip(axes, names):
        part = summary[summary["representation"] == name].set_index("cancer").reindex(rows)
        y = np.array([positions[c] for c in rows], dtype=float)
        for model, offset, face in (("per_type_c", 0.17, "white"), ("pooled_c", -0.17, colour(name))):
            axis.hlines(
                y + offset, part[f"{model}_ci_low"], part[f"{model}_ci_high"], color=colour(name), linewidth=1.2
            )
            axis.scatter(
                part[f"{model}_mean"],
                y + offset,
                s=18,
                facecolor=face,
                edgecolor=colour(name),
                linewidth=1,
                zorder=3,
            )
        marked = [f"{c} *" if q < 0.05 else c for c, q in zip(rows, part["q_value"])]
        axis.set_yticks(y, [m.replace(POOLED_ROW, "all types (stratified)") for m in marked])
        axis.axvline(0.5, color="grey", linestyle="--", linewidth=0.8)
        if POOLED_ROW in positions:
            axis.axhline(positions[POOLED_ROW] + 0.5, color="lightgrey", linewidth=0.6)
        axis.set_ylim(-0.6, len(rows) - 0.4)
        axis.set_title(label(name))
    bounds = summary[["pooled_c_ci_low", "per_type_c_ci_low", "pooled_c_ci_high", "per_type_c_ci_high"]].to_numpy()
    low, high = np.nanmin(np.r_[bounds.ravel(), 0.5]), np.nanmax(np.r_[bounds.ravel(), 0.5])
    for index, axis in enumerate(axes):
        axis.set_xlim(low - 0.02, high + 0.02)  # one scale for every panel
        if index >= len(names):
            axis.set_visible(False)
        elif index + columns >= len(names):  # the lowest panel of its column
            axis.set_xlabel("Harrell's C (mean, 95% interval)")
    neutral = [  # open and filled markers, whatever the panels' colours
        Line2D([], [], marker="o", linestyle="-", color="dimgrey", markerfacecolor=face, markersize=5)
        for face in ("white", "dimgrey")
    ]
    figure.legend(
        neutral,
        ["per-type models (open)", "pooled model (filled)"],
        loc="outside lower center",
        ncol=2,
        frameon=False,
    )
    figure.suptitle("Pooled pan-cancer model against the per-type models, on the same test patients")
    return figure
