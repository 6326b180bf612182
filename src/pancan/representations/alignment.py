"""Align a cohort's mutation matrix to a network's gene index."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from pancan.data.cohort import Cohort
from pancan.networks.gene_network import GeneNetwork


@dataclass
class AlignedMutations:
    """X[:, :n_network] follows network.genes; X[:, n_network:] are mutated genes outside the network."""

    X: sp.csr_matrix
    genes: np.ndarray
    n_network: int


def align_to_network(cohort: Cohort, network: GeneNetwork) -> AlignedMutations:
    """Reorder cohort columns onto the network's genes (zero columns for unmutated network genes)."""
    network_index = pd.Index(network.genes)
    position = network_index.get_indexer(cohort.genes)
    outside = np.flatnonzero(position < 0)
    position[outside] = len(network.genes) + np.arange(len(outside))
    n_columns = len(network.genes) + len(outside)
    # column j of the cohort goes to column position[j]
    mover = sp.csr_matrix(
        (np.ones(len(position), dtype=np.float32), (np.arange(len(position)), position)),
        shape=(len(cohort.genes), n_columns),
    )
    X = (cohort.mutations.astype(np.float32) @ mover).tocsr()
    X.sort_indices()
    genes = np.concatenate([network.genes, cohort.genes[outside]])
    return AlignedMutations(X, genes, len(network.genes))
