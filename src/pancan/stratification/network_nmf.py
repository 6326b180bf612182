"""NBS's network-regularised NMF (Hofree et al. 2013; pyNBS's mixed_netNMF), for several ranks at once.

With D = X^T (genes x patients), it minimises ||D - W H||_F^2 + lambda tr(W^T L W) over
W >= 0 (genes x k), H >= 0 (k x patients), L = Deg - K the Laplacian of the kNN
influence graph K, with pyNBS's updates:

* W <- W * (D H^T + lambda K W) / (W H H^T + lambda Deg W), floored at eps, then each
  column of W divided by its sum;
* H <- the exact non-negative least-squares solution given W, floored at eps
  (pyNBS calls scipy's nnls per patient; nnls_gram solves all patients at once);
* stop when ||W H - W' H'||_F / ||W H||_F < tol (pyNBS: an absolute 1e-8, in effect
  never, so always max_iter = 250) or after max_iter iterations.

Initialisation as pyNBS: H uniform in [0, 1), W the least-squares fit to it,
columns normalised. Several ranks share every pass over the data: the products
D H^T and W^T D are computed for all ranks' stacked factors at once (one matrix
product instead of one per rank, the data being the costly operand). Each rank has
its own random initialisation and stops on its own, so its result does not depend on
which other ranks are fitted alongside (up to floating-point summation order).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import NMF

from pancan.errors import PancanError
from pancan.stratification.nnls import nnls_gram

EPS = 1e-15  # pyNBS's floor on W and H


@dataclass
class Factorization:
    """How each subsample is factorised: 'network_nmf' (NBS) or 'nmf' (scikit-learn, no network)."""

    method: str = "network_nmf"
    regularization: float = 200.0  # lambda (pyNBS default)
    max_iter: int = 250
    tol: float = 1e-6


def _products_with_data(X, H: np.ndarray) -> np.ndarray:
    """D H^T = X^T H^T (genes x k) for X patients x genes, dense or sparse."""
    if sp.issparse(X):
        return np.asarray(X.T @ H.T, dtype=np.float32)
    return np.ascontiguousarray((H @ X).T)


def _gram_trace(G: np.ndarray, M: np.ndarray) -> float:
    return float(np.sum(G * M))


def network_nmf(X, ranks, knn=None, *, regularization: float = 200.0, max_iter: int = 250, tol: float = 1e-6,
                seeds=None) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Fit one network-regularised NMF per rank; returns [(H^T patients x k, W genes x k, iterations)].

    X: non-negative patients x genes (dense or sparse); knn: genes x genes symmetric
    binary influence graph (None or lambda = 0: plain multiplicative NMF with NNLS);
    seeds: one seed per rank (the initialisation).
    """
    ranks = [int(k) for k in ranks]
    if not ranks or min(ranks) < 1:
        raise PancanError(f"ranks must be positive integers, got {ranks}")
    seeds = list(range(len(ranks))) if seeds is None else list(seeds)
    if len(seeds) != len(ranks):
        raise PancanError(f"{len(ranks)} ranks need {len(ranks)} seeds, got {len(seeds)}")
    X = sp.csr_matrix(X, dtype=np.float32) if sp.issparse(X) else np.ascontiguousarray(X, dtype=np.float32)
    if (X.data if sp.issparse(X) else X).min(initial=0.0) < 0:
        raise PancanError("NMF needs non-negative data")
    n_patients, n_genes = X.shape
    if max(ranks) > min(n_patients, n_genes):
        raise PancanError(f"rank {max(ranks)} exceeds the data's {n_patients} x {n_genes} shape")
    lam = np.float32(regularization if knn is not None else 0.0)
    if knn is not None:
        knn = sp.csr_matrix(knn, dtype=np.float32)
        if knn.shape != (n_genes, n_genes):
            raise PancanError(f"influence graph has shape {knn.shape}, data has {n_genes} genes")
        degree = np.asarray(knn.sum(axis=1), dtype=np.float32).ravel()
    rngs = [np.random.default_rng(seed) for seed in seeds]
    Hs = [np.maximum(rng.random((k, n_patients)), EPS).astype(np.float32) for k, rng in zip(ranks, rngs)]
    DHt = _products_with_data(X, np.vstack(Hs))
    Ws, start = [], 0
    for H in Hs:
        # least-squares W for the initial H: D H^T (H H^T)^-1, columns normalised (pyNBS)
        fit = np.linalg.solve(H @ H.T, DHt[:, start : start + len(H)].T).T
        Ws.append(np.ascontiguousarray(np.maximum(fit / fit.sum(axis=0), EPS), dtype=np.float32))
        start += len(H)
    iterations = [0] * len(ranks)
    passive = [None] * len(ranks)
    active = list(range(len(ranks)))
    while active:
        starts = np.cumsum([0] + [ranks[i] for i in active])
        local = {i: slice(starts[p], starts[p + 1]) for p, i in enumerate(active)}  # rank i's stacked columns
        previous = {i: (Ws[i].astype(np.float64), Hs[i].astype(np.float64)) for i in active}
        DHt = _products_with_data(X, np.vstack([Hs[i] for i in active]))
        smoothing = knn @ np.hstack([Ws[i] for i in active]) if lam else None
        for i in active:
            W, H = Ws[i], Hs[i]
            numerator = DHt[:, local[i]] + EPS
            denominator = W @ (H @ H.T) + EPS
            if lam:
                numerator += lam * smoothing[:, local[i]]
                denominator += lam * degree[:, None] * W
            W *= numerator / denominator
            np.maximum(W, EPS, out=W)
            W /= np.maximum(W.sum(axis=0), EPS)
        WtD = np.asarray(X @ np.hstack([Ws[i] for i in active]), dtype=np.float64).T  # W^T D
        still_active = []
        for i in active:
            W = Ws[i].astype(np.float64)
            G = W.T @ W
            solution = nnls_gram(G, WtD[local[i]], passive[i])
            passive[i] = solution > 0
            H = np.maximum(solution, EPS)
            Hs[i] = H.astype(np.float32)
            iterations[i] += 1
            # relative change of the fit W H, from k x k Gram matrices (no genes x patients product)
            Wp, Hp = previous[i]
            norm = _gram_trace(G, H @ H.T)
            change = _gram_trace(Wp.T @ Wp, Hp @ Hp.T) - 2 * _gram_trace(Wp.T @ W, Hp @ H.T) + norm
            if iterations[i] < max_iter and np.sqrt(max(change, 0.0) / max(norm, 1e-300)) >= tol:
                still_active.append(i)
        active = still_active
    return [(H.T.copy(), W, n_iter) for H, W, n_iter in zip(Hs, Ws, iterations)]


def plain_nmf(X, rank: int, *, max_iter: int = 250, tol: float = 1e-6, seed: int = 0) -> np.ndarray:
    """scikit-learn NMF (coordinate descent, random initialisation): patient loadings (patients x rank)."""
    model = NMF(n_components=rank, init="random", random_state=seed, max_iter=max_iter, tol=tol)
    return model.fit_transform(X)


def factorize(X, ranks, factorization: Factorization, knn=None, seeds=None) -> list[np.ndarray]:
    """Patient loadings (patients x k) for each rank, by the configured factorisation."""
    seeds = list(range(len(ranks))) if seeds is None else list(seeds)
    if factorization.method == "network_nmf":
        fits = network_nmf(X, ranks, knn, regularization=factorization.regularization,
                           max_iter=factorization.max_iter, tol=factorization.tol, seeds=seeds)
        return [loadings for loadings, _, _ in fits]
    if factorization.method == "nmf":
        return [plain_nmf(X, k, max_iter=factorization.max_iter, tol=factorization.tol, seed=s)
                for k, s in zip(ranks, seeds)]
    raise PancanError(f"unknown factorization {factorization.method!r} (network_nmf or nmf)")
