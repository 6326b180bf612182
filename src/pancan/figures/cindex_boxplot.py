"""C-index per cancer type and representation: boxes, the fold values as points, chance line, paired tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pancan.figures.style import colour, label, ordered, panel_grid, styled


def significance_label(q_value: float) -> str:
    return "***" if q_value < 0.001 else "**" if q_value < 0.01 else "*" if q_value < 0.05 else ""


@styled
def cindex_boxplot(
    folds: pd.DataFrame,
    tests: pd.DataFrame,
    metric: str = "harrell_c",
    include_combined: bool = False,
    seed: int = 0,
    summary: pd.DataFrame | None = None,
):
    """One panel per cancer; brackets mark paired tests with Benjamini-Hochberg q < 0.05 (* < 0.05, ** < 0.01, *** < 0.001).

    With `summary` (results/benchmark/summary.tsv), each box has the mean C and its corrected
    95% interval at its right (a black dot and bar).
    """
    if not include_combined:
        folds = folds[~folds["representation"].str.contains(r"\+", regex=True)]
    cancers = sorted(folds["cancer"].unique())
    figure, axes = panel_grid(len(cancers), columns=4, height=2.3)
    rng = np.random.default_rng(seed)
    for axis, cancer in zip(axes, cancers):
        per_cancer = folds[folds["cancer"] == cancer]
        names = ordered(per_cancer["representation"])
        values = [per_cancer.loc[per_cancer["representation"] == n, metric].dropna().to_numpy() for n in names]
        boxes = axis.boxplot(
            values,
            positions=range(len(names)),
            widths=0.5,
            patch_artist=True,
            showfliers=False,
            medianprops={"color": "black", "linewidth": 1},
        )
        for patch, name in zip(boxes["boxes"], names):
            patch.set_facecolor(colour(name))
            patch.set_alpha(0.55)
            if "+" in name:
                patch.set_hatch("///")
        for position, (name, points) in enumerate(zip(names, values)):
            jitter = rng.uniform(-0.15, 0.15, len(points))
            axis.scatter(position + jitter, points, s=5, color=colour(name), edgecolor="black", linewidth=0.3, zorder=3)
        if summary is not None:
            means = summary[summary["cancer"] == cancer].set_index("representation").reindex(names)
            axis.errorbar(
                np.arange(len(names)) + 0.38,
                means[f"{metric}_mean"],
                yerr=[
                    means[f"{metric}_mean"] - means[f"{metric}_ci_low"],
                    means[f"{metric}_ci_high"] - means[f"{metric}_mean"],
                ],
                fmt="o",
                color="black",
                markersize=2.5,
                elinewidth=0.8,
                capsize=0,
                zorder=4,
            )
            values = [
                *values,
                means[f"{metric}_ci_low"].dropna().to_numpy(),
                means[f"{metric}_ci_high"].dropna().to_numpy(),
            ]
        axis.axhline(0.5, color="grey", linestyle="--", linewidth=0.8)
        axis.set_xticks(range(len(names)), [label(n) for n in names], rotation=55, ha="right")
        axis.set_title(cancer)
        top = max((v.max() for v in values if len(v)), default=0.6)
        significant = tests[(tests["scope"] == cancer) & (tests["q_value"] < 0.05) & (tests["metric"] == metric)]
        level = top + 0.03
        step = 0.065  # bracket + its stars, so stacked brackets never overlap
        pairs = [
            (sorted((names.index(r.first), names.index(r.second))), r.q_value)
            for r in significant.itertuples()
            if r.first in names and r.second in names
        ]
        for (a, b), q_value in sorted(pairs, key=lambda item: item[0][1] - item[0][0]):
            axis.plot([a, a, b, b], [level, level + 0.012, level + 0.012, level], color="black", linewidth=0.6)
            axis.text((a + b) / 2, level + 0.006, significance_label(q_value), ha="center", va="bottom", fontsize=7)
            level += step
        axis.set_ylim(min(0.3, min((v.min() for v in values if len(v)), default=0.4) - 0.02), max(level + 0.02, 0.8))
    for axis in axes[::4]:
        axis.set_ylabel("Harrell's C" if metric == "harrell_c" else "Uno's C")
    figure.tight_layout()
    return figure
