"""NetNorM (Le Morvan et al. 2017): every patient normalised to exactly k mutated genes.

Per patient, genes are ranked by one total order:

1. mutated genes before non-mutated genes;
2. mutated genes by network degree, highest first;
3. non-mutated genes by their number of mutated neighbours, most first,
   ties broken by degree, highest first ("proxy mutations");
4. any remaining tie by gene position in the network index (lower first).

The top k genes become 1, the rest 0. A patient with no mutation (or no mutated
neighbour) therefore gets the k genes of highest degree: no division by zero.
The order does not depend on k, so the ranking is computed once up to the
largest k and every k of a grid is a prefix of it.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from pancan.errors import PancanError
from pancan.representations.validation import check_adjacency, check_mutations

_CHUNK_ROWS = 128  # rows scored at once: bounds the dense (rows x genes) int64 key matrix
_RANK_CACHE: OrderedDict = OrderedDict()
_RANK_CACHE_SIZE = 16


def netnorm_keys(mutated: np.ndarray, mutated_neighbours: np.ndarray, degree: np.ndarray) -> np.ndarray:
    """Integer keys whose descending order is the NetNorM rank order (unique within a row)."""
    n_genes = degree.shape[0]
    base = np.int64(degree.max()) + 1
    # mutated: base^2 + degree  >  any non-mutated: neighbours * base + degree (neighbours <= degree < base)
    score = np.where(mutated, base * base + degree, mutated_neighbours.astype(np.int64) * base + degree)
    # fold in the gene position so that every key is distinct: ties go to the lower index
    return score * n_genes + (n_genes - 1 - np.arange(n_genes, dtype=np.int64))


def netnorm_ranks(X, adjacency, max_k: int) -> np.ndarray:
    """Gene indices of each patient's top `max_k` genes in NetNorM order, shape (patients, max_k).

    X: sparse binary patients x genes whose first adjacency.shape[0] columns are
    the network genes (other columns ignored). Cost: one sparse product X @ A and
    one partial sort per patient, done in row chunks, vectorised.
    """
    adjacency = check_adjacency(adjacency)
    n_genes = adjacency.shape[0]
    if not 1 <= max_k <= n_genes:
        raise PancanError(f"k={max_k} must be between 1 and the number of network genes ({n_genes})")
    X = check_mutations(X, n_genes)[:, :n_genes]
    X.data[:] = 1.0
    X.eliminate_zeros()
    degree = np.asarray(adjacency.sum(axis=1)).ravel().astype(np.int64)
    ranks = np.empty((X.shape[0], max_k), dtype=np.int32)
    for start in range(0, X.shape[0], _CHUNK_ROWS):
        block = X[start : start + _CHUNK_ROWS]
        neighbours = (block @ adjacency).toarray()  # mutated neighbours per gene
        keys = netnorm_keys(block.toarray() > 0, np.rint(neighbours).astype(np.int64), degree)
        if max_k < n_genes:
            top = np.argpartition(-keys, max_k - 1, axis=1)[:, :max_k]
        else:
            top = np.broadcast_to(np.arange(n_genes), keys.shape)
        order = np.argsort(-np.take_along_axis(keys, top, axis=1), axis=1)
        ranks[start : start + block.shape[0]] = np.take_along_axis(top, order, axis=1)
    return ranks


def netnorm_profiles(ranks: np.ndarray, k: int, n_genes: int) -> sp.csr_matrix:
    """Binary NetNorM profiles (exactly k ones per row) from precomputed ranks."""
    n_patients, available = ranks.shape
    if not 1 <= k <= available:
        raise PancanError(f"k={k} exceeds the {available} ranks computed; compute ranks with max_k >= {k}")
    indices = np.sort(ranks[:, :k], axis=1).ravel()
    indptr = np.arange(0, n_patients * k + 1, k, dtype=np.int64)
    return sp.csr_matrix((np.ones(n_patients * k, dtype=np.float32), indices, indptr), shape=(n_patients, n_genes))


def _fingerprint(matrix: sp.csr_matrix) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr(matrix.shape).encode())
    for array in (matrix.indptr, matrix.indices, matrix.data):
        digest.update(np.ascontiguousarray(array).view(np.uint8))
    return digest.hexdigest()


def cached_netnorm_ranks(X, adjacency, max_k: int) -> np.ndarray:
    """netnorm_ranks memoised on the contents of X and adjacency (small LRU).

    Grid searches clone the transformer for every k; the ranking of a given
    fold is then computed once and reused for every k <= max_k.
    """
    X = sp.csr_matrix(X)
    adjacency = sp.csr_matrix(adjacency)
    key = (_fingerprint(X), _fingerprint(adjacency), max_k)
    if key in _RANK_CACHE:
        _RANK_CACHE.move_to_end(key)
        return _RANK_CACHE[key]
    ranks = netnorm_ranks(X, adjacency, max_k)
    ranks.setflags(write=False)
    _RANK_CACHE[key] = ranks
    while len(_RANK_CACHE) > _RANK_CACHE_SIZE:
        _RANK_CACHE.popitem(last=False)
    return ranks


class NetNorM(TransformerMixin, BaseEstimator):
    """NetNorM transformer: binary profiles with exactly k ones over the network's genes.

    Parameters
    ----------
    adjacency : sparse (genes x genes) symmetric adjacency of the network.
    k : number of genes set to 1 per patient.
    max_k : rank up to this many genes (>= k) so that a whole grid of k shares
        one ranking pass; None means k.
    """

    def __init__(self, adjacency=None, k: int = 100, max_k: int | None = None):
        self.adjacency = adjacency
        self.k = k
        self.max_k = max_k

    def _depth(self, n_genes: int) -> int:
        depth = max(self.k, self.max_k or self.k)
        if self.k > n_genes or depth > n_genes:
            raise PancanError(f"NetNorM k={depth} is larger than the number of network genes ({n_genes})")
        if self.k < 1:
            raise PancanError(f"NetNorM k must be at least 1, got {self.k}")
        return depth

    def fit(self, X, y=None):
        adjacency = check_adjacency(self.adjacency)
        self._depth(adjacency.shape[0])
        self.n_features_in_ = check_mutations(X, adjacency.shape[0]).shape[1]
        self.n_genes_ = adjacency.shape[0]
        return self

    def transform(self, X):
        n_genes = self.n_genes_
        ranks = cached_netnorm_ranks(check_mutations(X, n_genes), self.adjacency, self._depth(n_genes))
        return netnorm_profiles(ranks, self.k, n_genes)
