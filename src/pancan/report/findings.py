"""What a reader must know of a run, as sentences and marks: shared by the report's first page and summary.md."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pancan.benchmark.pooled import POOLED_ROW
from pancan.figures.style import label

EDGE_SHARE = 0.5  # a representation is flagged where at least this share of its folds chose a grid edge
RANK_TIE = 1e-9


def best_ranked(pan_cancer: pd.DataFrame) -> pd.DataFrame:
    """The representations sharing the best (lowest) mean rank: ties are reported as ties."""
    best = pan_cancer["mean_rank"].min()
    return pan_cancer[pan_cancer["mean_rank"] <= best + RANK_TIE]


def best_rank_sentence(pan_cancer: pd.DataFrame, n_types: int) -> str:
    tied = best_ranked(pan_cancer)
    names = " and ".join(
        f"{label(r.representation)} (mean C {r.mean_harrell_c:.3f})" for r in tied.itertuples(index=False)
    )
    rank = float(tied["mean_rank"].iloc[0])
    types = f"the {n_types} cancer types" if n_types > 1 else "the one cancer type"
    if len(tied) > 1:
        return f"Across {types}, {names} share the best mean rank among the mutation representations ({rank:.2f})."
    return f"Across {types}, {names} has the best mean rank among the mutation representations ({rank:.2f})."


def edge_flags(edges: pd.DataFrame, share: float = EDGE_SHARE) -> dict[tuple[str, str], str]:
    """(cancer, representation) -> what sat at a grid edge in at least `share` of the folds (the headline's mark)."""
    flags = {}
    for row in edges.itertuples(index=False):
        parts = []
        for column, text in (
            ("parameter_lowest", "lowest parameter"),
            ("parameter_highest", "highest parameter"),
            ("path_start", "strongest penalty"),
            ("path_end", "weakest penalty"),
        ):
            count = getattr(row, column)
            if pd.notna(count) and count >= share * row.folds:
                parts.append(f"{text} in {int(count)} of {row.folds} folds")
        if parts:
            flags[(row.cancer, row.representation)] = "; ".join(parts)
    return flags


def c_with_interval(mean: float, low: float, high: float, digits: int = 3) -> str:
    """'0.539 [0.512, 0.566]': a mean C and its 95% interval."""
    if pd.isna(low):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def headline_table(summary: pd.DataFrame, edges: pd.DataFrame, ordered, combinations: bool = False) -> pd.DataFrame:
    """cancer x representation mean C with its 95% interval, and a dagger where the choice sat at a grid edge."""
    flags = edge_flags(edges)
    cells = summary if combinations else summary[~summary["representation"].str.contains("+", regex=False)]
    cells = cells.copy()
    cells["text"] = [
        c_with_interval(row.harrell_c_mean, row.harrell_c_ci_low, row.harrell_c_ci_high)
        + (" †" if (row.cancer, row.representation) in flags else "")
        for row in cells.itertuples(index=False)
    ]
    wide = cells.pivot(index="cancer", columns="representation", values="text")
    wide = wide[ordered(wide.columns)]
    wide.columns = [label(c) for c in wide.columns]
    return wide.reset_index()


def edge_note(edges: pd.DataFrame) -> str:
    flags = edge_flags(edges)
    if not flags:
        return ""
    listed = "; ".join(f"{cancer} {label(name)}: {what}" for (cancer, name), what in sorted(flags.items()))
    return (
        f"† the chosen value sat at an edge of its grid in at least half of the outer folds, so the best value may "
        f"lie outside the grid ({listed})."
    )


def clinical_sentences(summary: pd.DataFrame, tests: pd.DataFrame) -> list[str]:
    """How the clinical model compares with the mutation representations, and what adding mutations to it does."""
    means = summary.pivot(index="cancer", columns="representation", values="harrell_c_mean")
    if "clinical" not in means.columns:
        return []
    mutation = [c for c in means.columns if "+" not in c and c != "clinical"]
    combined = [c for c in means.columns if c.endswith("+clinical")]
    sentences = []
    if mutation:
        beats = means["clinical"] > means[mutation].max(axis=1)
        sentences.append(
            f"The clinical model alone has a higher mean C than every mutation representation in {int(beats.sum())} "
            f"of {len(means)} cancer type{'s' if len(means) != 1 else ''}."
        )
    if combined:
        differences = means[combined].sub(means["clinical"], axis=0).stack()
        lowered = differences[differences < 0]
        worst_cancer, worst_name = lowered.idxmin() if len(lowered) else differences.idxmin()
        example = (
            f"e.g. {worst_cancer} {label(worst_name)} {means.loc[worst_cancer, worst_name]:.3f} against clinical "
            f"alone {means.loc[worst_cancer, 'clinical']:.3f}"
        )
        tested = tests[
            tests["first"].isin(combined) & (tests["second"] == "clinical") & (tests["scope"] != "pan-cancer")
        ]
        significant = tested[tested["q_value"] < 0.05]
        direction = np.sign(significant["mean_difference"])
        sentences.append(
            f"Adding a mutation representation to the clinical model lowers mean C in {len(lowered)} of "
            f"{len(differences)} (cancer type, representation) pairs ({example}); "
            + (
                f"{len(significant)} of the {len(tested)} tested differences have q < 0.05 "
                f"({int((direction < 0).sum())} lower, {int((direction > 0).sum())} higher)."
                if len(tested)
                else "these differences were not tested (benchmark.clinical_comparisons: false)."
            )
        )
    return sentences


STRATIFICATION_NOTE = (
    "Subtypes at the chosen k (lowest PAC among partitions with subtypes of stratification.min_subtype_size "
    "patients, unless k is fixed), their sizes, and the multi-group log-rank test of their survival: q over the k "
    "of one type (logrank_q_over_k) and over every row of this table (logrank_q). Subtypes are found without "
    "survival; their stability across seeds is not measured by the workflow "
    "(scripts/benchmarks/stratification_stability.py)."
)


def stratification_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The stratification summary with readable numbers."""
    shown = table.copy()
    for column in ("logrank_p", "logrank_q_over_k", "logrank_q"):
        shown[column] = shown[column].map(lambda value: "" if pd.isna(value) else f"{value:.2g}")
    shown["pac"] = shown["pac"].map(lambda value: "" if pd.isna(value) else f"{value:.3f}")
    shown["note"] = shown["note"].fillna("")
    return shown


POOLED_NOTE = (
    "The pooled pan-cancer model (benchmark.pooled): one model per representation fitted on the training patients of "
    "every type, comparing patients of the same type only. Its outer folds are the union of each type's own folds, so "
    "both models are scored on the same test patients. Mean Harrell's C per type [95% interval], and over all types "
    "the stratified C (concordant pairs summed within types) of the pooled model and of the per-type models together; "
    "the difference (pooled minus per-type) is tested fold by fold by the corrected paired t-test, with "
    "Benjamini-Hochberg q-values over every row."
)


def pooled_finding(table: pd.DataFrame) -> str:
    """What the pooled comparison found: the differences with q < 0.05, or that none reached it (and how close)."""
    tested = table[table["q_value"].notna()]
    found = tested[tested["q_value"] < 0.05]
    if len(found):
        return (
            "Pooled minus per-type differences with q < 0.05: "
            + "; ".join(
                f"{label(r.representation)} in {r.cancer} {r.difference:+.3f} (q = {r.q_value:.2g})"
                for r in found.itertuples(index=False)
            )
            + "."
        )
    if not len(tested):
        return "No pooled against per-type difference could be tested."
    best = tested.loc[tested["p_value"].idxmin()]
    return (
        f"No pooled against per-type difference reaches q < 0.05 ({len(tested)} test{'s' * (len(tested) != 1)}; smallest p = "
        f"{best['p_value']:.2g}, {label(best['representation'])} in {best['cancer']}, q = {best['q_value']:.2g})."
    )


def pooled_rows(table: pd.DataFrame, cancers: bool = True) -> pd.DataFrame:
    """The pooled summary with readable numbers: every type and over all types (cancers), or over all types only."""
    shown = table if cancers else table[table["cancer"] == POOLED_ROW]
    shown = shown.assign(representation=shown["representation"].map(label))

    def with_interval(model: str) -> pd.Series:
        return pd.Series(
            [
                "" if pd.isna(mean) else f"{mean:.3f} [{low:.3f}, {high:.3f}]"
                for mean, low, high in zip(shown[f"{model}_mean"], shown[f"{model}_ci_low"], shown[f"{model}_ci_high"])
            ],
            index=shown.index,
        )

    out = shown[["cancer", "representation"]].copy()
    out["pooled C"] = with_interval("pooled_c")
    out["per-type C"] = with_interval("per_type_c")
    out["difference"] = shown["difference"].map(lambda value: "" if pd.isna(value) else f"{value:+.3f}")
    out["q"] = shown["q_value"].map(lambda value: "" if pd.isna(value) else f"{value:.2g}")
    if not cancers:
        out = out.drop(columns="cancer")
    return out.reset_index(drop=True)
