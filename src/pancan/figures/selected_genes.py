"""Most frequently selected genes across outer folds (the paper's gene-selection figure)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from pancan.figures.style import RC, colour


def selection_frequency(coefficients: pd.DataFrame, n_folds: int) -> pd.DataFrame:
    """Per feature: fraction of outer folds selecting it, and its mean coefficient when selected."""
    grouped = coefficients.groupby("feature")["coefficient"]
    table = pd.DataFrame({"frequency": grouped.size() / n_folds, "mean_coefficient": grouped.mean()})
    return table.sort_values(["frequency", "mean_coefficient"], ascending=[False, False]).reset_index()


def selected_genes(coefficients: pd.DataFrame, n_folds: int, title: str, representation: str, top: int = 20):
    """Horizontal bars: selection frequency of the top genes; red = risk-increasing, blue = protective."""
    table = selection_frequency(coefficients, n_folds).head(top).iloc[::-1]
    with plt.rc_context(RC):
        figure, axis = plt.subplots(figsize=(3.4, 0.16 * max(len(table), 4) + 0.8))
        colours = ["#c44e52" if c > 0 else "#4c72b0" for c in table["mean_coefficient"]]
        axis.barh(table["feature"], table["frequency"], color=colours, edgecolor=colour(representation))
        axis.set_xlim(0, 1)
        axis.set_xlabel(f"fraction of {n_folds} outer folds selecting the gene")
        from matplotlib.patches import Patch

        axis.legend(handles=[Patch(color="#c44e52", label="higher risk when mutated"),
                             Patch(color="#4c72b0", label="lower risk when mutated")],
                    frameon=False, loc="lower right", fontsize=6)
        axis.set_title(title)
        axis.tick_params(axis="y", labelsize=6)
        figure.tight_layout()
    return figure
