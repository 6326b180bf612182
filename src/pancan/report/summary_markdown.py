"""results/summary.md: the main results table, readable without a browser."""

from __future__ import annotations

import pandas as pd

from pancan.figures.style import ordered


def summary_markdown(summary: pd.DataFrame, tests: pd.DataFrame, cohorts: pd.DataFrame) -> str:
    """Mean (sd) Harrell's C per cancer x representation, the cohorts, and the significant paired tests."""
    cell = summary.assign(text=lambda t: t["harrell_c_mean"].map("{:.3f}".format) + " (" + t["harrell_c_sd"].map("{:.3f}".format) + ")")
    wide = cell.pivot(index="cancer", columns="representation", values="text")
    wide = wide[ordered(wide.columns)]
    lines = ["# pancan benchmark summary", "",
             f"Mean (standard deviation) of Harrell's C over {int(summary['folds'].max())} outer test folds.", ""]
    lines += [_markdown_table(wide.reset_index())]
    lines += ["", "## Cohorts", "", _markdown_table(cohorts[["cancer", "patients", "deaths", "genes_mutated", "mutations_median"]])]
    significant = tests[tests["p_value"] < 0.05]
    lines += ["", "## Paired Wilcoxon tests with p < 0.05", ""]
    lines += [_markdown_table(significant.round(4)) if len(significant) else "None."]
    return "\n".join(lines) + "\n"


def _markdown_table(table: pd.DataFrame) -> str:
    header = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "|" + "---|" * len(table.columns)
    rows = ["| " + " | ".join("" if pd.isna(v) else str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([header, rule, *rows])
