"""The k-nearest-neighbour influence graph that regularises NBS's network NMF (Hofree et al. 2013).

Influence between genes is the inverse of the diagonally shifted graph Laplacian,
(L + gamma I)^-1 (Vandin et al. 2011, as pyNBS computes it); each gene is linked to
the `n_neighbours` genes it influences most, itself included (pyNBS's convention, so
10 other genes for the default 11), and the graph is symmetrised.

Which genes are "most influenced" is decided on influences rounded to `digits`
significant digits of the row's largest influence, ties going to the lower gene index.
The default, 12 digits, is pyNBS's exact top 11 of the float64 inverse: only values
equal up to floating-point noise count as tied (pyNBS breaks such ties by its sort
order, so edges may differ there and only there). 5 digits was pancan's earlier choice,
which changes 199 of the 18,731 edges of pyNBS's cancer subnetwork (all near-ties below
8e-6 of the row maximum; tests/test_pynbs_reference.py).

The inverse is dense, so it is computed once per network, one connected component at a
time, with LAPACK (Cholesky then inverse in place): in float64 up to `FLOAT64_GENES`
genes, in float32 beyond (1.6 GB for Pathway Commons' 20,057 genes instead of 3.2 GB).
The smallest eigenvalue of L + gamma I is gamma, for the constant vector of each
component; adding beta / n_c to every entry of a component's block lifts it to
gamma + beta without changing the order of the entries of a row (the inverse only
shifts by a constant within the component), which makes float32 accurate to about
1e-6 of the row maximum. Where that is not enough to decide a row's top genes (its
k-th and (k+1)-th influences closer than `_FLOAT32_MARGIN`, exact ties included), the
row is refined to float64 accuracy by iterative refinement (x += M^-1_float32 (e - M x),
with the sparse M in float64) before choosing.
Genes in different components have zero influence and are never linked.
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.linalg as sl
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from pancan.errors import PancanError
from pancan.networks.adjacency import NetworkAdjacency

logger = logging.getLogger(__name__)
FLOAT64_GENES = 10_000  # components up to this size are inverted in float64 (at most 800 MB)
_DEFLATION = 1.0  # beta: the constant eigenvalue gamma is lifted to gamma + beta
_BLOCK_ROWS = 64  # rows ranked at once: bounds the temporaries beside the n x n inverse
_REFINE_ROWS = 512  # rows refined at once
_REFINE_STEPS = 3
_FLOAT32_MARGIN = 1e-5  # relative to the row maximum: above the float32 inverse's error, so rows closer are refined


def _choose(values: np.ndarray, n_neighbours: int, digits: int) -> np.ndarray:
    """Column indices of each row's n_neighbours largest values after rounding; ties go to the lower index."""
    rounded = np.round(values / np.abs(values).max(axis=1, keepdims=True), digits)
    boundary = -np.partition(-rounded, n_neighbours - 1, axis=1)[:, n_neighbours - 1 : n_neighbours]
    above = rounded > boundary
    tied = rounded == boundary
    room = n_neighbours - above.sum(axis=1, keepdims=True)
    keep = above | (tied & (np.cumsum(tied, axis=1, dtype=np.int32) <= room))
    return np.nonzero(keep)[1].reshape(len(values), n_neighbours)


def _undecided(values: np.ndarray, n_neighbours: int) -> np.ndarray:
    """Rows whose k-th and (k+1)-th largest values are within the float32 margin of each other."""
    relative = values / np.abs(values).max(axis=1, keepdims=True)
    part = -np.partition(-relative, [n_neighbours - 1, n_neighbours], axis=1)
    return part[:, n_neighbours - 1] - part[:, n_neighbours] <= 2 * _FLOAT32_MARGIN


def _refine(
    inverse: np.ndarray, system: sp.csr_matrix, rows: np.ndarray, shift: float, steps: int = _REFINE_STEPS
) -> np.ndarray:
    """Rows `rows` of (L + gamma I)^-1 to float64 accuracy, from the float32 inverse of the deflated system.

    system: L + gamma I (sparse float64); the deflated matrix adds beta / n to every entry.
    inverse: its float32 inverse, lower triangle valid (LAPACK's potri).
    """
    n = system.shape[0]
    columns = np.arange(n)
    X = np.where(columns[:, None] < rows[None, :], inverse[rows, :].T, inverse[:, rows]).astype(np.float64)
    target = np.zeros((n, len(rows)))
    target[rows, np.arange(len(rows))] = 1.0
    for _ in range(steps):
        residual = target - (system @ X + (_DEFLATION / n) * X.sum(axis=0, keepdims=True))
        X += sl.blas.ssymm(1.0, inverse, residual.astype(np.float32), side=0, lower=1).astype(np.float64)
    return X.T + shift


def _component_top(adjacency: sp.csr_matrix, gamma: float, n_neighbours: int, digits: int) -> np.ndarray:
    """Indices (within the component) of each gene's n_neighbours most influenced genes, self included."""
    n = adjacency.shape[0]
    if n <= n_neighbours:
        return np.broadcast_to(np.arange(n), (n, n)).copy()
    double = n <= FLOAT64_GENES
    dtype = np.float64 if double else np.float32
    degree = np.asarray(adjacency.sum(axis=1), dtype=np.float64).ravel()
    matrix = np.zeros((n, n), dtype=dtype, order="F")  # LAPACK's layout: no copy
    coo = adjacency.tocoo()
    matrix[coo.row, coo.col] = -coo.data
    del coo
    matrix[np.arange(n), np.arange(n)] = degree + gamma
    matrix += dtype(_DEFLATION / n)
    potrf, potri = sl.lapack.get_lapack_funcs(("potrf", "potri"), (matrix,))
    factor, info = potrf(matrix, lower=1, overwrite_a=1, clean=0)
    if info != 0:
        raise PancanError(f"influence matrix: Cholesky factorisation failed (LAPACK info {info})")
    inverse, info = potri(factor, lower=1, overwrite_c=1)
    if info != 0:
        raise PancanError(f"influence matrix: inversion failed (LAPACK info {info})")
    shift = _DEFLATION / (gamma * (gamma + _DEFLATION) * n)  # (L + gamma I)^-1 - (L + gamma I + beta 11^T / n)^-1
    top = np.empty((n, n_neighbours), dtype=np.int64)
    columns = np.arange(n)
    undecided = []
    for start in range(0, n, _BLOCK_ROWS):
        rows = np.arange(start, min(n, start + _BLOCK_ROWS))
        # only the lower triangle is valid: entry (i, j) with j > i is stored at (j, i)
        values = np.where(columns[None, :] > rows[:, None], inverse[:, rows].T, inverse[rows, :]).astype(np.float64)
        values += shift  # back to (L + gamma I)^-1, so that rounding is relative to the true row maximum
        top[rows] = _choose(values, n_neighbours, digits)
        if not double and digits > 5:  # float32 decides at 5 digits, not beyond
            undecided.append(rows[_undecided(values, n_neighbours)])
    if undecided:
        undecided = np.concatenate(undecided)
        system = (sp.diags(degree + gamma) - sp.csr_matrix(adjacency, dtype=np.float64)).tocsr()
        for start in range(0, len(undecided), _REFINE_ROWS):
            rows = undecided[start : start + _REFINE_ROWS]
            top[rows] = _choose(_refine(inverse, system, rows, shift), n_neighbours, digits)
        logger.info("influence graph: %d of %d rows refined to float64", len(undecided), n)
    return top


def influence_knn_graph(adjacency, gamma: float = 0.01, n_neighbours: int = 11, digits: int = 12) -> sp.csr_matrix:
    """Symmetric binary kNN influence graph (genes x genes, no self-loops) of a network.

    Parameters
    ----------
    adjacency : symmetric sparse network adjacency.
    gamma : diagonal shift of the Laplacian (pyNBS and Vandin et al.: 0.01).
    n_neighbours : genes of highest influence kept per gene, itself included (pyNBS: 11).
    digits : significant digits (of the row maximum) the influences are compared at; 12 is pyNBS's exact
        order up to floating-point noise, 5 pancan's earlier rounding.
    """
    if gamma <= 0:
        raise PancanError(f"influence gamma must be positive, got {gamma}")
    if n_neighbours < 2:
        raise PancanError(f"n_neighbours must be at least 2 (the gene itself and one other), got {n_neighbours}")
    if not 1 <= digits <= 14:
        raise PancanError(f"influence digits must be in 1..14, got {digits}")
    adjacency = NetworkAdjacency(adjacency).matrix
    n_genes = adjacency.shape[0]
    n_components, labels = connected_components(adjacency, directed=False)
    rows, cols = [], []
    for component in range(n_components):
        members = np.flatnonzero(labels == component)
        if len(members) == 1:
            continue
        block = adjacency[members][:, members]
        top = _component_top(block, gamma, n_neighbours, digits)
        rows.append(np.repeat(members, top.shape[1]))
        cols.append(members[top.ravel()])
    logger.info("influence graph: %d genes, %d components", n_genes, n_components)
    if not rows:
        return sp.csr_matrix((n_genes, n_genes), dtype=np.float32)
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    keep = rows != cols
    directed = sp.csr_matrix(
        (np.ones(keep.sum(), dtype=np.float32), (rows[keep], cols[keep])), shape=(n_genes, n_genes)
    )
    graph = ((directed + directed.T) > 0).astype(np.float32).tocsr()
    graph.sort_indices()
    return graph
