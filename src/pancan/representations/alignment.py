"""Align a cohort's mutation matrix to a network's gene index."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from pancan.data.cohort import Cohort
from pancan.errors import InsufficientDataError
from pancan.networks.gene_network import GeneNetwork

logger = logging.getLogger(__name__)
LOW_COVERAGE = 0.5  # below this fraction of mutated genes in the network, warn


@dataclass
class AlignedMutations:
    """X[:, :n_network] follows network.genes; X[:, n_network:] are mutated genes outside the network."""

    X: sp.csr_matrix
    genes: np.ndarray
    n_network: int


def align_to_network(cohort: Cohort, network: GeneNetwork) -> AlignedMutations:
    """Reorder cohort columns onto the network's genes (zero columns for unmutated network genes).

    No mutated gene in the network is an error, low coverage a warning, both naming the
    cohort and the network (typically gene symbols in another case or namespace).
    """
    network_index = pd.Index(network.genes)
    position = network_index.get_indexer(cohort.genes)
    outside = np.flatnonzero(position < 0)
    covered = len(cohort.genes) - len(outside)
    if len(cohort.genes) and covered == 0:
        raise InsufficientDataError(
            f"{cohort.cancer}: none of the {len(cohort.genes)} mutated genes (e.g. {', '.join(cohort.genes[:3])}) is a "
            f"gene of network {network.name} (e.g. {', '.join(network.genes[:3])}); gene symbols must match the "
            "network's (HGNC symbols, same case)"
        )
    if len(cohort.genes) and covered / len(cohort.genes) < LOW_COVERAGE:
        logger.warning(
            "%s: only %d of %d mutated genes (%.0f%%) are genes of network %s; check the gene symbols",
            cohort.cancer,
            covered,
            len(cohort.genes),
            100 * covered / len(cohort.genes),
            network.name,
        )
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
