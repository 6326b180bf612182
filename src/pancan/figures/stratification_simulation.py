"""Planted-module simulation: ARI of NBS and raw-profile clustering across planted fractions and module sizes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from pancan.figures.stratification_model_selection import representation_colour
from pancan.figures.style import PAGE_WIDTH, RC


def planted_recovery_figure(table: pd.DataFrame):
    """table: method, fraction, module_size, seed, ari. One panel per module size: mean and each seed."""
    sizes = sorted(table["module_size"].unique())
    with plt.rc_context(RC):
        figure, axes = plt.subplots(1, len(sizes), figsize=(PAGE_WIDTH, 2.3), sharey=True, squeeze=False)
        for axis, size in zip(axes[0], sizes):
            part = table[table["module_size"] == size]
            for method in ("nbs", "raw"):
                rows = part[part["method"] == method]
                mean = rows.groupby("fraction")["ari"].mean()
                axis.plot(
                    100 * mean.index,
                    mean.to_numpy(),
                    marker="o",
                    markersize=3,
                    color=representation_colour(method),
                    label=method,
                )
                axis.scatter(100 * rows["fraction"], rows["ari"], s=6, color=representation_colour(method), alpha=0.5)
            axis.axhline(0, color="#999999", linewidth=0.6)
            axis.set_title(f"modules of {size} genes")
            axis.set_xlabel("mutations moved into module (%)")
        axes[0][0].set_ylabel("adjusted Rand index")
        axes[0][0].legend(frameon=False, loc="upper left")
        n_seeds = table["seed"].nunique()
        figure.suptitle(f"Recovery of planted subtypes ({n_seeds} simulated datasets per point; line: mean)")
        figure.tight_layout()
    return figure
