"""NetNorM (Le Morvan, Zinovyev and Vert 2017): every patient normalised to exactly k mutated genes.

Per patient, genes are ranked by one total order; the top k become 1, the rest 0:

1. mutated genes before non-mutated genes;
2. mutated genes by network degree, highest first (the paper's score 1 + degree / max degree);
3. non-mutated genes by their number of mutated neighbours, most first ("proxy
   mutations"; the paper's score: that number over the patient's maximum, so a mutated
   gene without any neighbour, scoring exactly 1, ties with the non-mutated genes of
   maximal score);
4. ties, with `tie_break`:
   * "original" (default, the published code): the gene later in the network's gene order
     (alphabetical) wins, as its stable ordinal ranking of the scores does;
   * "degree": a non-mutated gene's ties go to the higher degree, then the earlier gene.
     Alphabetical order carries no biology, degree does; measured effect in docs/benchmarks.md.

A patient with no mutation (or no mutated neighbour) still gets k genes: no division by
zero. The order does not depend on k, so each patient is ranked once up to `max_k` and
every k of a grid is a prefix; the rankings are memoised per patient (`row_cache`,
the transformer's `memo`).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from pancan.errors import InvalidParameterError
from pancan.networks.adjacency import NetworkAdjacency, as_adjacency
from pancan.representations.row_cache import RowCache
from pancan.representations.validation import NetworkGenesOutput, binary_network_part, check_profiles

TIE_BREAKS = ("original", "degree")
_CHUNK_ROWS = 128  # rows scored at once: bounds the dense (rows x genes) int64 key matrix


def netnorm_keys(
    mutated: np.ndarray, mutated_neighbours: np.ndarray, degree: np.ndarray, tie_break: str = "original"
) -> np.ndarray:
    """Integer keys whose descending order is the NetNorM rank order (distinct within a row)."""
    n_genes = degree.shape[0]
    base = np.int64(degree.max()) + 1
    if tie_break == "original":
        # The published scores, 1 + degree / max degree (mutated) and neighbours / the row's maximum (others),
        # as integer tiers: mutated with degree >= 1 score > 1; a mutated isolated gene scores exactly 1, as
        # do the non-mutated genes with the row's maximum of mutated neighbours; everything else < 1.
        # Within a tier, the published order; equal scores: the later gene wins.
        neighbours = mutated_neighbours.astype(np.int64)
        peak = neighbours.max(axis=-1, keepdims=True)
        at_one = (mutated & (degree == 0)) | (~mutated & (neighbours == peak) & (peak > 0))
        score = np.where(
            mutated & (degree > 0), 2 * base * base + degree, np.where(at_one, base * base, neighbours * base)
        )
        return score * n_genes + np.arange(n_genes, dtype=np.int64)
    if tie_break == "degree":
        score = np.where(mutated, base * base + degree, mutated_neighbours.astype(np.int64) * base + degree)
        return score * n_genes + (n_genes - 1 - np.arange(n_genes, dtype=np.int64))
    raise InvalidParameterError(f"NetNorM tie_break must be one of {TIE_BREAKS}, got {tie_break!r}")


def netnorm_ranks(X, adjacency, max_k: int, tie_break: str = "original") -> np.ndarray:
    """Gene indices of each patient's top `max_k` genes in NetNorM order, shape (patients, max_k).

    X: sparse patients x genes whose first adjacency.shape[0] columns are the network
    genes (other columns ignored; any non-zero counts as mutated). Cost: one sparse
    product X @ A and one partial sort per patient, in row chunks, vectorised.
    """
    adjacency = as_adjacency(adjacency)
    n_genes = adjacency.n_genes
    if not 1 <= max_k <= n_genes:
        raise InvalidParameterError(f"k={max_k} must be between 1 and the number of network genes ({n_genes})")
    X = binary_network_part(sp.csr_matrix(X), n_genes)
    degree = adjacency.degree
    ranks = np.empty((X.shape[0], max_k), dtype=np.int32)
    for start in range(0, X.shape[0], _CHUNK_ROWS):
        block = X[start : start + _CHUNK_ROWS]
        neighbours = np.rint((block @ adjacency.matrix).toarray()).astype(np.int64)  # mutated neighbours per gene
        keys = netnorm_keys(block.toarray() > 0, neighbours, degree, tie_break)
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
        raise InvalidParameterError(f"k={k} exceeds the {available} ranks computed; compute ranks with max_k >= {k}")
    indices = np.sort(ranks[:, :k], axis=1).ravel()
    indptr = np.arange(0, n_patients * k + 1, k, dtype=np.int64)
    return sp.csr_matrix((np.ones(n_patients * k, dtype=np.float32), indices, indptr), shape=(n_patients, n_genes))


class NetNorM(NetworkGenesOutput, TransformerMixin, BaseEstimator):
    """NetNorM transformer: binary profiles with exactly k ones over the network's genes.

    Parameters
    ----------
    adjacency : the network: a NetworkAdjacency (validated once, shared by clones), a
        GeneNetwork or a sparse symmetric (genes x genes) matrix.
    k : number of genes set to 1 per patient.
    max_k : rank up to this many genes (>= k) so that a whole grid of k shares one
        ranking per patient; None means k.
    tie_break : "original" (the published code) or "degree" (see the module docstring).
    memo : a RowCache shared by clones, so that each patient is ranked once in a whole
        grid search; None: a private one per fitted transformer.

    Input columns: the network's genes first (`align_to_network`), then any others (ignored).
    """

    def __init__(
        self,
        adjacency=None,
        k: int = 100,
        max_k: int | None = None,
        tie_break: str = "original",
        memo: RowCache | None = None,
    ):
        self.adjacency = adjacency
        self.k = k
        self.max_k = max_k
        self.tie_break = tie_break
        self.memo = memo

    def _depth(self, n_genes: int) -> int:
        if not isinstance(self.k, (int, np.integer)) or self.k < 1:
            raise InvalidParameterError(f"NetNorM k must be a positive integer, got {self.k!r}")
        depth = max(self.k, self.max_k or self.k)
        if depth > n_genes:
            raise InvalidParameterError(f"NetNorM k={depth} is larger than the number of network genes ({n_genes})")
        if self.tie_break not in TIE_BREAKS:
            raise InvalidParameterError(f"NetNorM tie_break must be one of {TIE_BREAKS}, got {self.tie_break!r}")
        return depth

    def fit(self, X, y=None):
        self.adjacency_: NetworkAdjacency = as_adjacency(self.adjacency)
        self._depth(self.adjacency_.n_genes)
        check_profiles(self, X, self.adjacency_.n_genes, reset=True)
        self.memo_ = self.memo if self.memo is not None else RowCache("netnorm ranks")
        return self

    def transform(self, X):
        check_is_fitted(self, "adjacency_")
        n_genes = self.adjacency_.n_genes
        depth = self._depth(n_genes)
        network_part = binary_network_part(check_profiles(self, X, n_genes, reset=False), n_genes)
        key = ("netnorm", self.adjacency_.fingerprint, depth, self.tie_break)
        (ranks,) = self.memo_.rows(
            key, network_part, lambda rows: (netnorm_ranks(rows, self.adjacency_, depth, self.tie_break),)
        )
        return netnorm_profiles(ranks, self.k, n_genes)
