"""Choosing the number of subtypes: PAC and cophenetic correlation against k, one line per representation."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from pancan.figures.style import PAGE_WIDTH, colour, new_figure, styled


@styled
def model_selection_figure(tables: dict[str, pd.DataFrame], title: str) -> Figure:
    """tables: representation -> model_selection.tsv (k, pac, cophenetic, chosen). The chosen k is circled.

    The legend (representations, and the circle's meaning) is under both panels, never over a line."""
    figure = new_figure(PAGE_WIDTH * 0.75, 2.7)
    axes = figure.subplots(1, 2)
    for name, table in tables.items():
        for axis, column in zip(axes, ("pac", "cophenetic")):
            axis.plot(table["k"], table[column], marker="o", markersize=3, color=colour(name), label=name)
            chosen = table[table["chosen"]]
            axis.plot(
                chosen["k"],
                chosen[column],
                marker="o",
                markersize=8,
                markerfacecolor="none",
                color=colour(name),
                linestyle="none",
            )
    axes[0].set_ylabel("PAC\n(lower: crisper)")
    axes[1].set_ylabel("cophenetic correlation\n(higher: crisper)")
    for axis in axes:
        axis.set_xlabel("number of subtypes k")
        axis.set_xticks(sorted({int(k) for t in tables.values() for k in t["k"]}))
    handles, labels = axes[0].get_legend_handles_labels()
    circle = Line2D([], [], marker="o", markersize=8, markerfacecolor="none", color="#555555", linestyle="none")
    figure.legend(
        [*handles, circle],
        [*labels, "chosen k"],
        loc="outside lower center",
        ncol=len(handles) + 1,
        frameon=False,
    )
    figure.suptitle(f"{title}: choosing the number of subtypes")
    return figure
