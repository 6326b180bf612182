"""Mutational burden versus performance: C-index in the low- and high-burden halves of each test fold."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sksurv.util import Surv

from pancan.figures.style import colour, label, ordered, panel_grid, styled
from pancan.models.pairs import harrell_cindex


def burden_cindex(predictions: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """Harrell's C per (cancer, representation, repeat, fold) in each half, split at the cohort's median burden."""
    table = predictions.merge(patients[["patient_id", "time_days", "event", "n_mutations"]], on="patient_id")
    median = patients["n_mutations"].median()
    table["burden"] = np.where(table["n_mutations"] > median, "high", "low")
    rows = []
    for key, group in table.groupby(["representation", "repeat", "fold", "burden"], sort=True):
        y = Surv.from_arrays(group["event"].astype(bool), group["time_days"])
        rows.append(
            dict(
                zip(["representation", "repeat", "fold", "burden"], key),
                harrell_c=harrell_cindex(y, group["risk"].to_numpy()) if group["event"].any() else np.nan,
            )
        )
    return pd.DataFrame(rows)


@styled
def burden_figure(per_cancer: dict[str, pd.DataFrame]):
    """One panel per cancer: for each representation, boxes of C in the low (light) and high (dark) burden halves."""
    cancers = sorted(per_cancer)
    figure, axes = panel_grid(len(cancers), columns=4, height=2.1)
    for axis, cancer in zip(axes, cancers):
        table = per_cancer[cancer]
        table = table[~table["representation"].str.contains(r"\+|clinical", regex=True)]
        names = ordered(table["representation"])
        for position, name in enumerate(names):
            for offset, half, alpha in ((-0.18, "low", 0.35), (0.18, "high", 0.85)):
                values = table.loc[(table["representation"] == name) & (table["burden"] == half), "harrell_c"].dropna()
                box = axis.boxplot(
                    [values],
                    positions=[position + offset],
                    widths=0.3,
                    patch_artist=True,
                    showfliers=False,
                    medianprops={"color": "black", "linewidth": 0.8},
                )
                box["boxes"][0].set_facecolor(colour(name))
                box["boxes"][0].set_alpha(alpha)
        axis.axhline(0.5, color="grey", linestyle="--", linewidth=0.8)
        axis.set_xticks(range(len(names)), [label(n) for n in names], rotation=55, ha="right")
        axis.set_title(cancer)
    for axis in axes[::4]:
        axis.set_ylabel("Harrell's C")
    figure.suptitle("Test-fold C-index in patients with fewer (light) and more (dark) mutated genes than the median")
    figure.tight_layout()
    return figure
