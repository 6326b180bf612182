"""Choosing the number of subtypes: PAC and cophenetic correlation against k, one line per representation."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from pancan.figures.style import PAGE_WIDTH, RC, colour

# stratification representations without a colour of their own in the shared style
_EXTRA_COLOURS = {"nbs": "#dd8452", "nbs_permuted": "#f4b98e", "nbs_rewired": "#a85f2e"}


def representation_colour(name: str) -> str:
    return _EXTRA_COLOURS.get(name) or colour(name)


def model_selection_figure(tables: dict[str, pd.DataFrame], title: str):
    """tables: representation -> model_selection.tsv (k, pac, cophenetic, chosen). The chosen k is circled."""
    with plt.rc_context(RC):
        figure, axes = plt.subplots(1, 2, figsize=(PAGE_WIDTH * 0.75, 2.3))
        for name, table in tables.items():
            for axis, column in zip(axes, ("pac", "cophenetic")):
                axis.plot(
                    table["k"], table[column], marker="o", markersize=3, color=representation_colour(name), label=name
                )
                chosen = table[table["chosen"]]
                axis.plot(
                    chosen["k"],
                    chosen[column],
                    marker="o",
                    markersize=8,
                    markerfacecolor="none",
                    color=representation_colour(name),
                    linestyle="none",
                )
        axes[0].set_ylabel("PAC (lower: crisper)")
        axes[1].set_ylabel("cophenetic correlation")
        for axis in axes:
            axis.set_xlabel("number of subtypes k")
            axis.set_xticks(sorted({int(k) for t in tables.values() for k in t["k"]}))
        axes[1].legend(frameon=False, loc="lower left")
        figure.suptitle(f"{title}: choosing k (circle: chosen)")
        figure.tight_layout()
    return figure
