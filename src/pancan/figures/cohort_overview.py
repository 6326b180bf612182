"""Cohort overview: patients and deaths, mutated genes per patient (log scale), network coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pancan.figures.style import PAGE_WIDTH, new_figure, styled


@styled
def cohort_overview(summary: pd.DataFrame, mutations_per_patient: dict[str, np.ndarray]):
    """summary: results/cohorts/summary.tsv; mutations_per_patient: cancer -> n_mutations of each patient."""
    cancers = list(summary["cancer"])
    x = np.arange(len(cancers))
    figure = new_figure(PAGE_WIDTH, 2.4, layout=None)
    patients_axis, burden_axis, coverage_axis = figure.subplots(1, 3)
    patients_axis.bar(x, summary["patients"], color="#b0b0b0", label="patients")
    patients_axis.bar(x, summary["deaths"], color="#404040", label="deaths")
    patients_axis.set_xticks(x, cancers, rotation=45, ha="right")
    patients_axis.set_ylabel("patients")
    patients_axis.set_title("Cohorts")
    patients_axis.set_ylim(0, 1.3 * summary["patients"].max())  # headroom: the legend's row never meets a bar
    patients_axis.legend(frameon=False, loc="upper center", ncol=2)

    data = [np.asarray(mutations_per_patient[c], dtype=float) for c in cancers]
    burden_axis.boxplot(
        data, positions=x, widths=0.6, showfliers=True, flierprops={"markersize": 2}, medianprops={"color": "#c44e52"}
    )
    burden_axis.set_yscale("log")
    burden_axis.set_xticks(x, cancers, rotation=45, ha="right")
    burden_axis.set_ylabel("mutated genes per patient")
    burden_axis.set_title("Mutational burden")

    coverage_columns = [c for c in summary.columns if c.startswith("fraction_in_")]
    width = 0.8 / max(len(coverage_columns), 1)
    for index, column in enumerate(coverage_columns):
        network = column.removeprefix("fraction_in_")
        coverage_axis.bar(
            x + (index - (len(coverage_columns) - 1) / 2) * width,
            summary[column],
            width,
            label=network.replace("_", " "),
            color=["#4c72b0", "#dd8452", "#55a868"][index % 3],
        )
    coverage_axis.set_ylim(0, 1.25)
    coverage_axis.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    coverage_axis.set_xticks(x, cancers, rotation=45, ha="right")
    coverage_axis.set_ylabel("fraction of mutated genes in network")
    coverage_axis.set_title("Network coverage")
    coverage_axis.legend(frameon=False, loc="upper center", ncol=2)
    figure.tight_layout()
    return figure
