"""Pan-cancer comparison: each representation's mean C per cancer type, its mean across types and mean rank."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pancan.benchmark.comparisons import cancer_means
from pancan.figures.style import PAGE_WIDTH, colour, label, new_figure, styled


@styled
def pan_cancer_figure(
    folds: pd.DataFrame, summary: pd.DataFrame, tests: pd.DataFrame, metric: str = "harrell_c"
) -> Figure:
    """Left: mean C per cancer type (points, one marker per type) and across types (bar), representations ordered
    by mean rank; right: the mean rank. The cancer types' markers are explained right of the panels (clear of
    both x axes); a note under the panels names the pan-cancer tests with q < 0.05."""
    means = cancer_means(folds, metric)
    names = list(summary["representation"])
    figure = new_figure(PAGE_WIDTH, 0.32 * len(names) + 1.3)
    c_axis, rank_axis = figure.subplots(1, 2, width_ratios=[3, 1.2], sharey=True)
    markers = "osD^vP*Xh<>"
    positions = np.arange(len(names))[::-1]
    for position, name in zip(positions, names):
        c_axis.barh(position, means[name].mean() - 0.5, left=0.5, height=0.6, color=colour(name), alpha=0.45)
        rank_axis.barh(
            position,
            summary.set_index("representation").loc[name, "mean_rank"],
            height=0.6,
            color=colour(name),
            alpha=0.8,
        )
    for index, cancer in enumerate(means.index):
        c_axis.scatter(
            means.loc[cancer, names].to_numpy(),
            positions,
            s=14,
            marker=markers[index % len(markers)],
            facecolor="white",
            edgecolor="black",
            linewidth=0.6,
            label=cancer,
            zorder=3,
        )
    c_axis.axvline(0.5, color="grey", linestyle="--", linewidth=0.8)
    c_axis.set_yticks(positions, [label(n) for n in names])
    c_axis.set_xlabel("Harrell's C (points: cancer types; bar: their mean)")
    c_axis.set_title("C-index across cancer types")
    c_axis.set_ylim(-0.6, len(names) - 0.4)
    figure.legend(
        *c_axis.get_legend_handles_labels(),
        title="cancer type",
        frameon=False,
        loc="outside right upper",
        ncol=1 if len(means.index) <= 2 * len(names) else 2,  # a column of ~0.15 in per type; rows are 0.32 in
        handletextpad=0.2,
        columnspacing=0.8,
    )
    rank_axis.set_xlabel(f"mean rank over {len(means.index)} types (1 = best)")
    rank_axis.set_title("Mean rank")
    rank_axis.set_xlim(0, len(names) + 0.5)
    rank_axis.set_xticks(range(1, len(names) + 1))
    significant = tests[(tests["scope"] == "pan-cancer") & (tests["q_value"] < 0.05) & (tests["metric"] == metric)]
    if len(significant):
        text = "; ".join(
            f"{label(r.first)} vs {label(r.second)}: q = {r.q_value:.2g}" for r in significant.itertuples()
        )
    else:
        text = "no pan-cancer difference with q < 0.05"
    figure.supxlabel(textwrap.fill(text, 130), fontsize=7, x=0.01, ha="left")  # wrapped to the page width
    return figure
