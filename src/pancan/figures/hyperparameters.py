"""Hyper-parameters chosen in the inner cross-validation, across outer folds, per cancer type."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pancan.figures.style import PAGE_WIDTH, colour, label, new_figure, styled


@styled
def chosen_hyperparameters(folds: pd.DataFrame, representations=("netnorm", "nsqn")):
    """One panel per tuned representation: the chosen value in each fold (points) per cancer type."""
    present = [r for r in representations if r in set(folds["representation"])]
    figure = new_figure(PAGE_WIDTH, 2.4, layout=None)
    axes = figure.subplots(1, max(len(present), 1), squeeze=False)
    rng = np.random.default_rng(0)
    for axis, name in zip(axes.ravel(), present):
        rows = folds[folds["representation"] == name]
        cancers = sorted(rows["cancer"].unique())
        for position, cancer in enumerate(cancers):
            values = rows.loc[rows["cancer"] == cancer, "parameter_value"].to_numpy(dtype=float)
            axis.scatter(
                position + rng.uniform(-0.2, 0.2, len(values)),
                values,
                s=8,
                color=colour(name),
                alpha=0.7,
                edgecolor="black",
                linewidth=0.3,
            )
            axis.plot([position - 0.3, position + 0.3], [np.median(values)] * 2, color="black", linewidth=1.2)
        parameter = rows["parameter"].dropna().iloc[0] if rows["parameter"].notna().any() else "value"
        axis.set_xticks(range(len(cancers)), cancers, rotation=45, ha="right")
        axis.set_ylabel(f"chosen {parameter}")
        axis.set_title(f"{label(name)}: chosen {parameter}")
    figure.tight_layout()
    return figure
