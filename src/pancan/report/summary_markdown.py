"""results/summary.md: the main results, readable without a browser."""

from __future__ import annotations

import pandas as pd

from pancan.figures.style import label, ordered
from pancan.report.findings import (
    POOLED_NOTE,
    STRATIFICATION_NOTE,
    best_rank_sentence,
    clinical_sentences,
    edge_note,
    headline_table,
    pooled_finding,
    pooled_rows,
    stratification_rows,
)


def markdown_table(table: pd.DataFrame) -> str:
    header = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "|" + "---|" * len(table.columns)
    rows = [
        "| " + " | ".join("" if pd.isna(v) else str(v) for v in row) + " |" for row in table.itertuples(index=False)
    ]
    return "\n".join([header, rule, *rows])


def _number(value: float) -> str:
    """Three significant digits; a test that could not be computed shows a dash, not "nan"."""
    return "-" if pd.isna(value) else f"{value:.3g}"


def tests_table(tests: pd.DataFrame) -> pd.DataFrame:
    table = tests.sort_values(["q_value", "scope"]).assign(
        comparison=lambda t: t["first"].map(label) + " vs " + t["second"].map(label),
        mean_difference=lambda t: t["mean_difference"].map("{:+.3f}".format),
        p_value=lambda t: t["p_value"].map(_number),
        q_value=lambda t: t["q_value"].map(_number),
        significant=lambda t: ["yes" if q < 0.05 else "" for q in tests.loc[t.index, "q_value"]],
    )
    return table[["scope", "comparison", "n", "mean_difference", "p_value", "q_value", "significant", "note"]]


def attainable_note(tests: pd.DataFrame) -> str:
    """What the design lets a test reach."""
    within = tests[tests["scope"] != "pan-cancer"]
    across = tests[tests["scope"] == "pan-cancer"]
    lines = []
    if len(within):
        folds = int(within["n"].max())
        lines.append(
            f"Within a cancer type: corrected resampled t-test over {folds} outer folds "
            f"({folds - 1} degrees of freedom); the folds share training patients, which the test accounts for."
        )
    if len(across):
        types, floor = int(across["n"].max()), float(across["min_attainable_p"].min())
        reach = "can" if floor < 0.05 else "cannot"
        lines.append(
            f"Across cancer types: exact Wilcoxon signed-rank test over {types} types; its smallest "
            f"attainable p is {floor:.3g}, so it {reach} reach p < 0.05."
        )
    lines.append("q: Benjamini-Hochberg adjustment over every test of this run.")
    return " ".join(lines)


def summary_markdown(
    summary: pd.DataFrame,
    tests: pd.DataFrame,
    pan_cancer: pd.DataFrame,
    edges: pd.DataFrame,
    cohorts: pd.DataFrame,
    stratification: pd.DataFrame | None = None,
    pooled: pd.DataFrame | None = None,
) -> str:
    """Mean (sd) Harrell's C per cancer x representation, the pan-cancer comparison, every paired test with p and q,
    choices at grid edges, Uno's truncation times and the cohorts."""
    folds = int(summary["folds"].max())
    significant = tests[tests["q_value"] < 0.05]
    mutation = pan_cancer[~pan_cancer["representation"].str.contains("+", regex=False)]
    lines = [
        "# pancan benchmark summary",
        "",
        best_rank_sentence(mutation, summary["cancer"].nunique()),
        *clinical_sentences(summary, tests),
        "",
        f"Mean Harrell's C over {folds} outer test folds, with its 95% interval (corrected repeated "
        "cross-validation variance, as the paired tests: the folds share training patients).",
        "",
        markdown_table(headline_table(summary, edges, ordered, combinations=True)),
        "",
        *([edge_note(edges), ""] if edge_note(edges) else []),
        "## Across cancer types",
        "",
        "Mean rank of each representation across cancer types (1 = best) and its mean C.",
        "",
        markdown_table(pan_cancer.assign(representation=pan_cancer["representation"].map(label))),
        "",
        "## Paired tests",
        "",
        attainable_note(tests),
        "",
    ]
    if len(significant):
        lines += [f"{len(significant)} of {len(tests)} tests have q < 0.05.", ""]
    else:
        lines += [f"None of the {len(tests)} tests has q < 0.05.", ""]
    lines += [
        markdown_table(tests_table(tests)),
        "",
        "## Choices at the edge of their grid",
        "",
        "Outer folds whose chosen parameter (k, alpha) is the lowest or highest of its grid, whose chosen point "
        "of the path is its start (strongest penalty, fewest boosting stages) or end, that selected no feature, "
        "whose choice beat the runner-up by less than 0.001 of inner C (near ties), or with a solve that did not "
        "converge: a grid edge chosen often means the grid should extend there.",
        "",
        markdown_table(edges.assign(representation=edges["representation"].map(label))),
        "",
        "## Uno's C truncation time (days)",
        "",
        markdown_table(summary.groupby("cancer", as_index=False)["uno_tau_days"].first().round(0)),
        "",
        "## Cohorts",
        "",
        markdown_table(cohorts[["cancer", "patients", "deaths", "genes_mutated", "mutations_median"]]),
    ]
    if pooled is not None:
        lines += ["", "## Pooled pan-cancer model", "", POOLED_NOTE, "", pooled_finding(pooled), ""]
        lines += [markdown_table(pooled_rows(pooled))]
    if stratification is not None:
        lines += [
            "",
            "## Stratification (NBS)",
            "",
            STRATIFICATION_NOTE,
            "",
            markdown_table(stratification_rows(stratification)),
        ]
    return "\n".join(lines) + "\n"
