"""Choosing the number of subtypes: cophenetic correlation (Brunet et al. 2004) and PAC (Senbabaoglu et al. 2014)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import cophenet
from scipy.spatial.distance import squareform

from pancan.errors import PancanError
from pancan.stratification.consensus import (
    UNSAMPLED,
    consensus_linkage,
    consensus_matrix,
    consensus_subtypes,
    leaf_order,
)


def cophenetic_correlation(consensus: np.ndarray, tree: np.ndarray) -> float:
    """Pearson correlation between 1 - consensus and the tree's cophenetic distances (1: a perfect hierarchy)."""
    distance = 1.0 - np.asarray(consensus, dtype=np.float64)
    np.fill_diagonal(distance, 0.0)
    correlation, _ = cophenet(tree, squareform(distance, checks=False))
    return float(correlation)


def proportion_ambiguous(
    consensus: np.ndarray, co_sampled: np.ndarray | None = None, lower: float = 0.1, upper: float = 0.9
) -> float:
    """PAC: fraction of patient pairs whose consensus lies in (lower, upper); 0 for a crisp clustering.

    Pairs i < j only, and only pairs sampled together at least once when co_sampled is given.
    """
    if not 0 <= lower < upper <= 1:
        raise PancanError(f"PAC window must satisfy 0 <= lower < upper <= 1, got ({lower}, {upper})")
    upper_triangle = np.triu_indices(len(consensus), k=1)
    values = np.asarray(consensus)[upper_triangle]
    if co_sampled is not None:
        values = values[np.asarray(co_sampled)[upper_triangle] > 0]
    if len(values) == 0:
        return float("nan")
    return float(np.mean((values > lower) & (values < upper)))


def choose_k(table: pd.DataFrame, fixed: int = 0, min_size: int = 0) -> int:
    """k of lowest PAC (ties: the smaller k) among the partitions whose smallest subtype has at least
    `min_size` patients (all of them when none has), or `fixed` when it is one of the table's k.

    A partition of one big cluster and a few stray patients has a low PAC without being subtypes
    (the no-network control often gives one), hence the size floor; table needs `smallest_subtype`
    when min_size > 0.
    """
    if fixed:
        if fixed not in set(table["k"]):
            raise PancanError(f"stratification k={fixed} is not among the k clustered ({sorted(table['k'])})")
        return int(fixed)
    eligible = table[eligible_partitions(table, min_size)] if min_size else table
    ordered = (eligible if len(eligible) else table).sort_values(["pac", "k"], kind="mergesort")
    return int(ordered["k"].iloc[0])


def eligible_partitions(table: pd.DataFrame, min_size: int) -> pd.Series:
    """Rows whose partition has k subtypes (when the table says) of at least min_size patients each."""
    eligible = table["smallest_subtype"] >= min_size
    if "n_subtypes" in table:
        eligible &= table["n_subtypes"] == table["k"]
    return eligible


def minimum_subtype_size(setting: float, n_clustered: int) -> int:
    """stratification.min_subtype_size in patients: a count when >= 1, else a fraction of the clustered patients."""
    return int(setting) if setting >= 1 else int(np.ceil(setting * n_clustered))


def consensus_over_k(labels: np.ndarray, ks, pac_window=(0.1, 0.9)) -> dict:
    """Consensus, tree, subtypes, PAC and cophenetic correlation for each k.

    labels: (len(ks), runs, patients) from cluster_runs. Patients no run clustered (under
    pyNBS's scheme, those its per-subsample filter always dropped) are left out, as pyNBS
    leaves them out: `clustered` marks the n patients kept. Returns consensus (k, n, n),
    co_sampled (n, n), subtypes (k, n, labels 1..k by size), order (k, n leaf order)
    and the table k, runs, cophenetic, pac.
    """
    clustered = (np.asarray(labels) != UNSAMPLED).any(axis=(0, 1))
    labels = np.asarray(labels)[:, :, clustered]
    consensus, subtypes, orders, rows = [], [], [], []
    co_sampled = None
    for k, runs in zip(ks, labels):
        matrix, co_sampled = consensus_matrix(runs)
        tree = consensus_linkage(matrix)
        consensus.append(matrix)
        subtypes.append(consensus_subtypes(tree, k))
        orders.append(leaf_order(tree))
        rows.append(
            {
                "k": int(k),
                "runs": int(runs.shape[0]),
                "cophenetic": cophenetic_correlation(matrix, tree),
                "pac": proportion_ambiguous(matrix, co_sampled, *pac_window),
                "smallest_subtype": int(np.bincount(subtypes[-1])[1:].min()),  # labels 1..k
                # the tree can give fewer than k clusters (tied merge heights)
                "n_subtypes": len(np.unique(subtypes[-1])),
            }
        )
    return {
        "clustered": clustered,
        "consensus": np.stack(consensus),
        "co_sampled": co_sampled,
        "subtypes": np.stack(subtypes),
        "order": np.stack(orders),
        "table": pd.DataFrame(rows),
    }
