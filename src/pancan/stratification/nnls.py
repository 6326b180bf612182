"""Non-negative least squares for many right-hand sides sharing one small Gram matrix.

min_h>=0 ||W h - x||^2 for every column x of X depends on W only through G = W^T W
(k x k) and on x through b = W^T x. Block principal pivoting (Kim & Park, SIAM J Sci
Comput 2011) solves all columns at once: each round exchanges the infeasible variables
of every column between the passive and the active set, then solves every column's
k x k system in one batched call. It gives scipy.optimize.nnls's solution (unique, G
being positive definite) for all patients at once, where nnls needs one Python call
per patient (see docs/benchmarks.md).
"""

from __future__ import annotations

import numpy as np

from pancan.errors import PancanError

_MAX_ROUNDS = 200


def _solve_passive(
    G: np.ndarray, B: np.ndarray, passive: np.ndarray, columns: np.ndarray, H: np.ndarray, Y: np.ndarray
) -> None:
    """For each column j in `columns`: H[P, j] = G[P, P]^-1 B[P, j], H[~P, j] = 0, Y = G H - B (P = passive[:, j]).

    One batched solve: column j's system is G with the rows and columns outside P
    replaced by those of the identity, and B[~P, j] by 0.
    """
    free = passive[:, columns].T  # (columns, k)
    both = free[:, :, None] & free[:, None, :]
    systems = np.where(both, G[None], 0.0)
    systems[:, np.arange(G.shape[0]), np.arange(G.shape[0])] += ~free
    rhs = np.where(free, B[:, columns].T, 0.0)
    H[:, columns] = np.linalg.solve(systems, rhs[:, :, None])[:, :, 0].T
    Y[:, columns] = G @ H[:, columns] - B[:, columns]


def nnls_gram(G: np.ndarray, B: np.ndarray, passive: np.ndarray | None = None) -> np.ndarray:
    """Non-negative H (k x n) minimising ||W H - X||_F given G = W^T W and B = W^T X.

    `passive`: optional (k x n) boolean guess of the positive entries (e.g. the
    previous solution's support in an alternating algorithm): a good guess makes the
    first round the last.
    """
    G = np.asarray(G, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    k, n = B.shape
    if G.shape != (k, k):
        raise PancanError(f"Gram matrix shape {G.shape} does not match {k} rows of W^T X")
    passive = np.zeros((k, n), dtype=bool) if passive is None else np.array(passive, dtype=bool)
    H = np.zeros((k, n))
    Y = -B.copy()
    if passive.any():
        _solve_passive(G, B, passive, np.arange(n), H, Y)
    tolerance = 1e-12 * max(float(np.abs(B).max(initial=0.0)), 1.0)
    best = np.full(n, k + 1)  # fewest infeasible variables seen, per column
    chances = np.full(n, 3)  # full exchanges left before the single-variable backup rule
    for _ in range(_MAX_ROUNDS):
        infeasible = (passive & (-tolerance > H)) | (~passive & (-tolerance > Y))
        count = infeasible.sum(axis=0)
        columns = np.flatnonzero(count > 0)
        if len(columns) == 0:
            return np.maximum(H, 0.0)
        improved = count < best
        best = np.where(improved, count, best)
        chances = np.where(improved, 3, chances)
        full = improved | (chances > 0)
        chances = np.where(~improved & (count > 0) & full, chances - 1, chances)
        exchange = infeasible.copy()
        backup = np.flatnonzero((count > 0) & ~full)
        if len(backup):  # exchange only the last infeasible variable (guarantees termination)
            last = k - 1 - np.argmax(infeasible[::-1, backup], axis=0)
            exchange[:, backup] = False
            exchange[last, backup] = True
        passive[:, columns] ^= exchange[:, columns]
        _solve_passive(G, B, passive, columns, H, Y)
    raise PancanError(f"nnls_gram did not converge in {_MAX_ROUNDS} rounds")
