"""Most frequently selected genes across outer folds (the paper's gene-selection figure)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch

from pancan.figures.style import label, styled

RISK_COLOURS = {True: "#c44e52", False: "#4c72b0"}


def selection_frequency(coefficients: pd.DataFrame, n_folds: int) -> pd.DataFrame:
    """Per feature: fraction of outer folds selecting it, and its mean coefficient when selected."""
    grouped = coefficients.groupby("feature")["coefficient"]
    table = pd.DataFrame({"frequency": grouped.size() / n_folds, "mean_coefficient": grouped.mean()})
    return table.sort_values(["frequency", "mean_coefficient"], ascending=[False, False]).reset_index()


def gene_representation(candidates) -> str:
    """NetNorM when benchmarked (the paper's gene-selection figure), else the first gene-level representation."""
    genes_level = [c for c in candidates if c != "mutation_count"]
    return "netnorm" if "netnorm" in genes_level else (genes_level or list(candidates))[0]


@styled
def selected_genes(coefficients: pd.DataFrame, n_folds: int, title: str, representation: str, top: int = 20):
    """Horizontal bars: selection frequency of the top genes, coloured by the sign of their mean coefficient."""
    table = selection_frequency(coefficients, n_folds).head(top).iloc[::-1]
    figure, axis = plt.subplots(figsize=(3.6, 0.16 * max(len(table), 4) + 1.0))
    colours = [RISK_COLOURS[c > 0] for c in table["mean_coefficient"]]
    axis.barh(table["feature"], table["frequency"], color=colours)
    axis.set_xlim(0, 1)
    axis.set_xlabel(f"fraction of the {n_folds} outer folds selecting the gene")
    axis.legend(
        handles=[
            Patch(color=RISK_COLOURS[True], label="higher risk when mutated"),
            Patch(color=RISK_COLOURS[False], label="lower risk when mutated"),
        ],
        frameon=False,
        loc="lower right",
        fontsize=6,
    )
    axis.set_title(f"{title}\n{label(representation)}: top {len(table)} genes")
    axis.tick_params(axis="y", labelsize=6)
    figure.tight_layout()
    return figure
