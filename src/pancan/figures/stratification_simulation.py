"""Planted-module simulation: ARI of NBS and raw-profile clustering across planted fractions and module sizes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pancan.figures.style import PAGE_WIDTH, RC, colour

NETWORK_NAMES = {
    "cancer_subnetwork": "pyNBS's cancer subnetwork",
    "string": "STRING",
    "pathway_commons": "Pathway Commons",
    "pathway_commons_without_hubs": "Pathway Commons less its 1% hubs",
}


def variant_label(method: str, universe: str, regularization: float) -> str:
    """Legend label of one clustering variant."""
    if method == "nbs":
        return f"NBS, λ = {regularization:g}"
    return f"raw, {'all' if universe == 'all' else 'network'} genes"


def _variants(table: pd.DataFrame) -> list[tuple[str, str, float]]:
    """(method, universe, regularization) of the table, NBS first (highest lambda first), then raw (all first)."""
    table = table.assign(
        universe=table.get("universe", pd.Series("all", index=table.index)).fillna("all"),
        regularization=table.get("regularization", pd.Series(np.nan, index=table.index)),
    )
    found = table[["method", "universe", "regularization"]].drop_duplicates().itertuples(index=False, name=None)
    return sorted(found, key=lambda v: (v[0] != "nbs", -np.nan_to_num(v[2]), v[1] != "all"))


def _style(method: str, universe: str, regularization: float) -> dict:
    dashed = (method == "nbs" and regularization == 0) or (method == "raw" and universe == "network")
    return {"color": colour(method), "linestyle": "--" if dashed else "-"}


def planted_recovery_figure(table: pd.DataFrame):
    """ARI against the planted fraction: one panel per module size (columns) and network (rows, if several).

    table: method, fraction, module_size, seed, ari, and optionally universe,
    regularization, network. Lines: mean over seeds; points: each seed.
    """
    table = table.copy()
    if "universe" not in table:
        table["universe"] = "all"
    if "regularization" not in table:
        table["regularization"] = np.nan
    table["universe"] = table["universe"].fillna("all")
    if "network" not in table:
        table["network"] = ""
    networks = [n for n in NETWORK_NAMES if n in set(table["network"])] + sorted(
        set(table["network"]) - set(NETWORK_NAMES)
    )
    sizes = sorted(table["module_size"].unique())
    variants = _variants(table)
    with plt.rc_context(RC):
        figure, axes = plt.subplots(
            len(networks),
            len(sizes),
            figsize=(PAGE_WIDTH, 0.4 + 2.0 * len(networks)),
            sharex=True,
            sharey=True,
            squeeze=False,
        )
        for row, network in enumerate(networks):
            for column, size in enumerate(sizes):
                axis = axes[row][column]
                part = table[(table["network"] == network) & (table["module_size"] == size)]
                for method, universe, regularization in variants:
                    chosen = (part["method"] == method) & (part["universe"] == universe)
                    if method == "nbs":
                        chosen &= part["regularization"] == regularization
                    rows = part[chosen]
                    if rows.empty:
                        continue
                    style = _style(method, universe, regularization)
                    mean = rows.groupby("fraction")["ari"].mean()
                    axis.plot(
                        100 * mean.index,
                        mean.to_numpy(),
                        marker="o",
                        markersize=2.5,
                        linewidth=1.1,
                        label=variant_label(method, universe, regularization),
                        **style,
                    )
                    axis.scatter(100 * rows["fraction"], rows["ari"], s=5, color=style["color"], alpha=0.4)
                axis.axhline(0, color="#999999", linewidth=0.6)
                title = f"modules of {size} genes"
                if network:
                    title = f"{NETWORK_NAMES.get(network, network)}\n{title}" if column == 0 else title
                axis.set_title(title, fontsize=8)
                if row == len(networks) - 1:
                    axis.set_xlabel("mutations moved into module (%)")
            axes[row][0].set_ylabel("adjusted Rand index")
        axes[0][0].legend(frameon=False, loc="upper left", fontsize=6.5)
        n_seeds = table["seed"].nunique()
        figure.suptitle(f"Recovery of planted subtypes ({n_seeds} simulated datasets per point; line: mean)")
        figure.tight_layout()
    return figure
