"""Subtype signatures: genes whose (smoothed) score is higher in a subtype than in the other patients, and
the network module they form.

Per subtype and gene: Mann-Whitney rank-sum test (scipy, asymptotic, two-sided) of
the subtype's patients against all other clustered patients, Benjamini-Hochberg over
the genes; the effect is the AUC, P(score of a subtype patient > score of another),
ties counting one half. A subtype's signature is its genes with q < fdr and AUC > 0.5
(at most `max_genes`, by AUC); its module is the largest connected component of the
network restricted to those genes, with its edges (what pyNBS users ask for: the
network modules that characterise each subtype).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats
from scipy.sparse.csgraph import connected_components

MIN_SUBTYPE = 3  # fewer patients on either side: the test cannot reach significance after BH


def rank_sum_by_subtype(scores: np.ndarray, subtypes: np.ndarray, genes: np.ndarray) -> pd.DataFrame:
    """subtype, gene, auc, statistic, p_value, q_value for every subtype and gene (vectorised over genes)."""
    scores = np.asarray(scores, dtype=np.float64)
    tables = []
    for subtype in np.unique(subtypes):
        inside = subtypes == subtype
        n_in, n_out = int(inside.sum()), int((~inside).sum())
        if min(n_in, n_out) < MIN_SUBTYPE:
            continue
        result = stats.mannwhitneyu(scores[inside], scores[~inside], axis=0, method="asymptotic")
        p_value = np.where(np.isnan(result.pvalue), 1.0, result.pvalue)  # constant genes: no evidence
        tables.append(
            pd.DataFrame(
                {
                    "subtype": subtype,
                    "gene": genes,
                    "patients": n_in,
                    "auc": result.statistic / (n_in * n_out),
                    "statistic": result.statistic,
                    "p_value": p_value,
                    "q_value": stats.false_discovery_control(p_value, method="bh"),
                }
            )
        )
    if not tables:
        return pd.DataFrame(columns=["subtype", "gene", "patients", "auc", "statistic", "p_value", "q_value"])
    return pd.concat(tables, ignore_index=True)


def signatures_and_modules(
    tests: pd.DataFrame, adjacency: sp.spmatrix, network_genes: np.ndarray, fdr: float = 0.05, max_genes: int = 50
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Signature genes per subtype (with module membership) and the module edges (subtype, gene_a, gene_b)."""
    index = pd.Index(network_genes)
    adjacency = sp.csr_matrix(adjacency)
    signatures, edges = [], []
    for subtype, table in tests.groupby("subtype", sort=True):
        chosen = table[(table["q_value"] < fdr) & (table["auc"] > 0.5)]
        chosen = chosen.sort_values(["auc", "gene"], ascending=[False, True], kind="mergesort").head(max_genes)
        chosen = chosen.assign(rank=np.arange(1, len(chosen) + 1), in_module=False)
        position = index.get_indexer(chosen["gene"])
        on_network = position >= 0
        if on_network.sum() >= 2:
            nodes = position[on_network]
            sub = adjacency[nodes][:, nodes]
            _, component = connected_components(sub, directed=False)
            sizes = np.bincount(component)
            largest = np.flatnonzero(sizes == sizes.max())[0]
            if sizes.max() >= 2:
                members = component == largest
                chosen.loc[chosen.index[on_network][members], "in_module"] = True
                upper = sp.triu(sub[members][:, members], k=1).tocoo()
                names = np.asarray(network_genes)[nodes[members]]
                edges.append(pd.DataFrame({"subtype": subtype, "gene_a": names[upper.row], "gene_b": names[upper.col]}))
        signatures.append(chosen)
    columns = ["subtype", "rank", "gene", "patients", "auc", "p_value", "q_value", "in_module"]
    signature_table = pd.concat(signatures, ignore_index=True)[columns] if signatures else pd.DataFrame(columns=columns)
    edge_table = pd.concat(edges, ignore_index=True) if edges else pd.DataFrame(columns=["subtype", "gene_a", "gene_b"])
    return signature_table, edge_table
