"""A network adjacency validated once: read-only, shared by every clone of the transformers that use it."""

from __future__ import annotations

import hashlib
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from pancan.errors import InvalidParameterError


class NetworkAdjacency:
    """Square, symmetric, non-empty sparse adjacency (float32 CSR, no explicit zeros), checked at construction.

    The transformers accept a plain sparse matrix too, but validate it at every fit (a pass
    over Pathway Commons' 842,761 edges) and scikit-learn's `clone` deep-copies it for
    every grid point. A NetworkAdjacency is immutable (its arrays are read-only) and
    `copy.deepcopy` returns it unchanged, so grid searches share one validated copy. The
    caller's matrix is never modified.
    """

    def __init__(self, matrix):
        if matrix is None:
            raise InvalidParameterError("a network adjacency matrix is required (adjacency=None)")
        if isinstance(matrix, NetworkAdjacency):
            matrix = matrix.matrix
        checked = sp.csr_matrix(matrix, dtype=np.float32, copy=True)
        if checked.ndim != 2 or checked.shape[0] != checked.shape[1]:
            raise InvalidParameterError(f"adjacency must be square, got shape {checked.shape}")
        checked.eliminate_zeros()
        if checked.nnz == 0:
            raise InvalidParameterError("the network is empty: its adjacency has no edge")
        if (abs(checked - checked.T) > 1e-6).nnz:
            raise InvalidParameterError("adjacency must be symmetric (an undirected network)")
        checked.sort_indices()
        for array in (checked.data, checked.indices, checked.indptr):
            array.setflags(write=False)
        self.matrix = checked

    def __deepcopy__(self, memo) -> NetworkAdjacency:
        return self  # immutable: clones share it

    def __reduce__(self):
        return (NetworkAdjacency, (self.matrix,))

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    @property
    def n_genes(self) -> int:
        return self.matrix.shape[0]

    @cached_property
    def degree(self) -> np.ndarray:
        degree = np.asarray(self.matrix.sum(axis=1)).ravel().astype(np.int64)
        degree.setflags(write=False)
        return degree

    @cached_property
    def fingerprint(self) -> str:
        """Content hash: caches of results computed on this network are keyed by it."""
        digest = hashlib.blake2b(digest_size=16)
        digest.update(repr(self.matrix.shape).encode())
        for array in (self.matrix.indptr, self.matrix.indices, self.matrix.data):
            digest.update(np.ascontiguousarray(array).view(np.uint8))
        return digest.hexdigest()

    def __repr__(self) -> str:
        return f"NetworkAdjacency({self.n_genes} genes, {self.matrix.nnz // 2} edges)"


def as_adjacency(adjacency) -> NetworkAdjacency:
    """A NetworkAdjacency from one, from a GeneNetwork, or from a sparse/dense matrix (validated now)."""
    if isinstance(adjacency, NetworkAdjacency):
        return adjacency
    matrix = getattr(adjacency, "adjacency", adjacency)  # a GeneNetwork
    return NetworkAdjacency(matrix)
