"""Shared input checks for the representation transformers."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_array

from pancan.errors import PancanError


def check_adjacency(adjacency) -> sp.csr_matrix:
    """A square, symmetric, non-empty sparse adjacency, as float32 CSR without explicit zeros."""
    if adjacency is None:
        raise PancanError("a network adjacency matrix is required (adjacency=None)")
    matrix = sp.csr_matrix(adjacency, dtype=np.float32)
    if matrix.shape[0] != matrix.shape[1]:
        raise PancanError(f"adjacency must be square, got shape {matrix.shape}")
    matrix.eliminate_zeros()
    if matrix.nnz == 0:
        raise PancanError("the network is empty: its adjacency has no edge")
    if (abs(matrix - matrix.T) > 1e-6).nnz:
        raise PancanError("adjacency must be symmetric (an undirected network)")
    return matrix


def check_mutations(X, n_network: int) -> sp.csr_matrix:
    """Sparse float32 CSR with at least the network's columns (extra columns are genes outside it)."""
    X = check_array(X, accept_sparse="csr", dtype=np.float32, ensure_min_features=1)
    X = sp.csr_matrix(X)
    if X.shape[1] < n_network:
        raise PancanError(
            f"mutation matrix has {X.shape[1]} columns but the network has {n_network} genes; "
            "align it with pancan.representations.align_to_network"
        )
    return X
