"""Network smoothing (NBS propagation) to convergence, and NSQN (smoothing + quantile normalisation).

The propagation F <- alpha F A_norm + (1 - alpha) F0 converges to the solution of
F (I - alpha A_norm) = (1 - alpha) F0. With S = D^-1/2 A D^-1/2:

* normalization="symmetric" (NetNorM's NSQN): A_norm = S, so
  (I - alpha S) F^T = (1 - alpha) F0^T;
* normalization="degree" (NBS): A_norm = D^-1 A (each gene passes its mass
  equally to its neighbours, so a patient's total mass is preserved). As
  D^-1 A = D^-1/2 S D^1/2, F = G D^1/2 where (I - alpha S) G^T = (1 - alpha) D^-1/2 F0^T.

Both are one symmetric positive definite system (eigenvalues in [1 - alpha,
1 + alpha]) solved by conjugate gradients for all patients at once: a sparse
matrix times a dense block per iteration, never a dense genes x genes inverse.
Patient blocks run on `n_jobs` threads (scipy's sparse product releases the GIL).
A patient's result depends on its own mutations only, so the transformers memoise it
per patient (their `memo`, a `row_cache.RowCache`), and the workflow registers with that
memo the cohort's smoothed profiles computed once by the `smooth_profiles` rule
(`register_precomputed`).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from pancan.errors import InvalidParameterError
from pancan.networks.adjacency import NetworkAdjacency, as_adjacency
from pancan.representations.quantile import RankedProfiles, map_ranked, quantile_reference, rank_profiles
from pancan.representations.row_cache import RowCache
from pancan.representations.validation import NetworkGenesOutput, check_profiles

logger = logging.getLogger(__name__)
NORMALIZATIONS = ("symmetric", "degree")


def _inverse_sqrt_degree(adjacency: sp.csr_matrix) -> np.ndarray:
    degree = np.asarray(adjacency.sum(axis=1), dtype=np.float64).ravel()
    with np.errstate(divide="ignore"):
        inv = np.where(degree > 0, 1.0 / np.sqrt(degree), 0.0)  # isolated genes: no propagation
    return inv


def _block_cg(S: sp.csr_matrix, alpha: float, B: np.ndarray, tol: float, max_iter: int) -> tuple[np.ndarray, int]:
    """Solve (I - alpha S) X = B for every column of B at once; returns (X, iterations).

    Standard conjugate gradients with one step size per column; vector updates
    are done in place to keep memory traffic (the bottleneck beside S @ P) low.
    """
    dtype = B.dtype
    X = B.copy()  # (1 - alpha) F0: the zeroth term of the propagation series
    R = S @ X
    R *= dtype.type(alpha)  # residual B - (X - alpha S X) = alpha S X since X = B
    P = R.copy()
    Q = np.empty_like(R)
    rr = np.einsum("ij,ij->j", R, R, dtype=np.float64)
    target = (tol * np.linalg.norm(B, axis=0).astype(np.float64)) ** 2
    iterations = 0
    while iterations < max_iter and np.any(rr > target):
        # A converged column is frozen (step 0), so each patient's result depends on its own
        # column only, never on which other patients share the block: caches stay exact.
        active = rr > target
        np.multiply(S @ P, -dtype.type(alpha), out=Q)
        Q += P  # Q = (I - alpha S) P
        pq = np.einsum("ij,ij->j", P, Q, dtype=np.float64)
        step = np.divide(rr, pq, out=np.zeros_like(rr), where=(pq > 0) & active).astype(dtype)
        X += step * P
        Q *= step
        R -= Q
        rr_new = np.einsum("ij,ij->j", R, R, dtype=np.float64)
        beta = np.divide(rr_new, rr, out=np.zeros_like(rr), where=rr > 0).astype(dtype)
        P *= beta
        P += R
        rr = rr_new
        iterations += 1
    if np.any(rr > target):
        worst = float(np.sqrt(np.max(rr / np.maximum(target, 1e-300))) * tol)
        logger.warning(
            "smoothing did not reach tol=%g in %d iterations (worst relative residual %.2g)", tol, max_iter, worst
        )
    return X, iterations


def smooth(
    X,
    adjacency,
    alpha: float,
    *,
    normalization: str = "symmetric",
    tol: float = 1e-6,
    max_iter: int = 500,
    n_jobs: int = 1,
    dtype=np.float32,
) -> np.ndarray:
    """Converged network smoothing of each row of X (patients x network genes first); dense (patients x genes)."""
    _check_smoothing(alpha, normalization)
    adjacency = as_adjacency(adjacency)
    n_genes = adjacency.n_genes
    F0 = sp.csr_matrix(X)[:, :n_genes]
    inv_sqrt = _inverse_sqrt_degree(adjacency.matrix)
    S = (sp.diags(inv_sqrt) @ adjacency.matrix @ sp.diags(inv_sqrt)).tocsr().astype(dtype)
    B = np.asarray(F0.T.toarray(), dtype=dtype) * dtype(1.0 - alpha)  # genes x patients
    if normalization == "degree":
        B *= inv_sqrt[:, None].astype(dtype)
    n_jobs = max(1, min(n_jobs, B.shape[1]))
    blocks = np.array_split(np.arange(B.shape[1]), n_jobs)

    def solve(columns: np.ndarray) -> tuple[np.ndarray, int]:
        return _block_cg(S, alpha, np.ascontiguousarray(B[:, columns]), tol, max_iter)

    if n_jobs == 1:
        results = [solve(blocks[0])]
    else:
        with ThreadPoolExecutor(n_jobs) as pool:
            results = list(pool.map(solve, blocks))
    G = np.concatenate([block for block, _ in results], axis=1)
    logger.debug("smoothing converged in %s CG iterations", [it for _, it in results])
    if normalization == "degree":
        degree = adjacency.degree.astype(np.float64)
        G *= np.sqrt(degree).astype(dtype)[:, None]
        # An isolated gene neither sends nor receives mass: it keeps (1 - alpha) F0,
        # which the D^1/2 change of variables cannot express (its degree is 0).
        isolated = np.flatnonzero(degree == 0)
        if len(isolated):
            G[isolated] = np.asarray(F0[:, isolated].T.toarray(), dtype=dtype) * dtype(1.0 - alpha)
    return np.ascontiguousarray(G.T)


def _check_smoothing(alpha, normalization) -> None:
    if not isinstance(alpha, (float, int, np.floating, np.integer)) or not 0.0 <= float(alpha) < 1.0:
        raise InvalidParameterError(f"smoothing alpha must be in [0, 1), got {alpha!r}")
    if normalization not in NORMALIZATIONS:
        raise InvalidParameterError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")


class _Smoothed(NetworkGenesOutput):
    """What NetworkSmoothing and NSQN share: parameters, validation, the memoised smoothed rows."""

    def __init__(
        self,
        adjacency=None,
        alpha: float = 0.7,
        normalization: str = "symmetric",
        tol: float = 1e-6,
        max_iter: int = 500,
        n_jobs: int = 1,
        memo: RowCache | None = None,
    ):
        self.adjacency = adjacency
        self.alpha = alpha
        self.normalization = normalization
        self.tol = tol
        self.max_iter = max_iter
        self.n_jobs = n_jobs
        self.memo = memo

    def _fit_network(self, X) -> None:
        _check_smoothing(self.alpha, self.normalization)
        self.adjacency_: NetworkAdjacency = as_adjacency(self.adjacency)
        check_profiles(self, X, self.adjacency_.n_genes, reset=True)
        self.memo_ = self.memo if self.memo is not None else RowCache("smoothed profiles")

    def _network_rows(self, X) -> sp.csr_matrix:
        check_is_fitted(self, "adjacency_")
        X = check_profiles(self, X, self.adjacency_.n_genes, reset=False)
        part = sp.csr_matrix(X[:, : self.adjacency_.n_genes], dtype=np.float32, copy=True)
        part.eliminate_zeros()
        return part

    def _smoothing_key(self) -> tuple:
        return (
            "smoothing",
            self.adjacency_.fingerprint,
            float(self.alpha),
            self.normalization,
            float(self.tol),
            int(self.max_iter),
        )

    def _smoothed(self, rows: sp.csr_matrix, store: bool = True) -> np.ndarray:
        (smoothed,) = self.memo_.rows(
            self._smoothing_key(),
            rows,
            lambda missing: (
                smooth(
                    missing,
                    self.adjacency_,
                    float(self.alpha),
                    normalization=self.normalization,
                    tol=self.tol,
                    max_iter=self.max_iter,
                    n_jobs=self.n_jobs,
                ),
            ),
            store=store,
        )
        return smoothed


def register_precomputed(
    memo: RowCache,
    X,
    smoothed_path,
    adjacency,
    alpha: float,
    *,
    normalization: str = "symmetric",
    tol: float = 1e-6,
    max_iter: int = 500,
) -> None:
    """Declare in `memo` that row i of the .npy file `smoothed_path` is the smoothing of row i of X.

    NetworkSmoothing and NSQN with these parameters and this memo then read those patients
    from the file (the `smooth_profiles` rule output) instead of propagating them again.
    """
    probe = NetworkSmoothing(adjacency, alpha, normalization=normalization, tol=tol, max_iter=max_iter)
    probe._fit_network(X)
    memo.register_source(probe._smoothing_key(), probe._network_rows(X), smoothed_path)


class NetworkSmoothing(_Smoothed, TransformerMixin, BaseEstimator):
    """NBS-style network propagation of each patient's mutations, to convergence.

    Parameters
    ----------
    adjacency : the network (NetworkAdjacency, GeneNetwork or sparse symmetric matrix).
    alpha : propagation weight in [0, 1); 0 returns the mutations unchanged.
    normalization : "symmetric" (D^-1/2 A D^-1/2, NetNorM's NSQN) or "degree" (D^-1 A, NBS).
    tol : relative residual at which propagation has converged.
    max_iter : iteration cap (a warning is logged if reached).
    n_jobs : threads over patient blocks.
    memo : a RowCache shared by clones (each patient smoothed once in a grid search, and
        precomputed profiles read from it); None: a private one per fitted transformer.
    """

    def fit(self, X, y=None):
        self._fit_network(X)
        return self

    def transform(self, X):
        return self._smoothed(self._network_rows(X))


class NSQN(_Smoothed, TransformerMixin, BaseEstimator):
    """NSQN: network smoothing, then quantile normalisation onto the training patients' reference.

    Equal to Pipeline([NetworkSmoothing, QuantileNormalizer]) (tested), but each patient's
    smoothed profile is sorted once and memoised: a fit only averages the sorted training
    rows, a transform only gathers. Output: dense float32 (patients x network genes).
    """

    def _ranked(self, X) -> tuple[RankedProfiles, np.ndarray]:
        """The memo's within-patient rankings and the position of each row of X in them (no copies)."""
        rows = self._network_rows(X)
        key = ("nsqn ranks", *self._smoothing_key())
        # each patient's smoothed profile is needed once, to be ranked: not kept beside its ranking
        arrays, positions = self.memo_.locate(
            key, rows, lambda missing: tuple(rank_profiles(self._smoothed(missing, store=False), self.n_jobs))
        )
        return RankedProfiles(*arrays), positions

    def fit(self, X, y=None):
        self._fit_network(X)
        ranked, positions = self._ranked(X)
        self.reference_ = quantile_reference(ranked.sorted_values, rows=positions)
        return self

    def transform(self, X):
        check_is_fitted(self, "reference_")
        ranked, positions = self._ranked(X)
        return map_ranked(ranked, self.reference_, dtype=np.float32, rows=positions)


def nsqn(
    adjacency, alpha: float = 0.7, *, normalization: str = "symmetric", tol: float = 1e-6, n_jobs: int = 1
) -> NSQN:
    """NSQN transformer (kept for the README's notebook examples)."""
    return NSQN(adjacency, alpha, normalization=normalization, tol=tol, n_jobs=n_jobs)
