"""Which representation a per-cancer figure shows."""

from __future__ import annotations

import pandas as pd


def best_representation(folds: pd.DataFrame, candidates) -> str:
    """The mutation representation with the highest mean Harrell's C (ties: first in `candidates`)."""
    means = folds[folds["representation"].isin(list(candidates))].groupby("representation")["harrell_c"].mean()
    if means.empty:
        raise ValueError("no mutation representation in the results")
    ranked = sorted(means.index, key=lambda name: (-means[name], list(candidates).index(name)))
    return ranked[0]


def gene_representation(folds: pd.DataFrame, candidates) -> str:
    """NetNorM when benchmarked (the paper's gene-selection figure), else the best gene-level representation."""
    genes_level = [c for c in candidates if c != "mutation_count"]
    if "netnorm" in genes_level:
        return "netnorm"
    return best_representation(folds, genes_level or candidates)
