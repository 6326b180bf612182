"""NBS's network-regularised NMF (Hofree et al. 2013; pyNBS's mixed_netNMF), for several ranks at once.

With D = X^T (genes x patients), it minimises ||D - W H||_F^2 + lambda tr(W^T L W) over
W >= 0 (genes x k), H >= 0 (k x patients), L = Deg - K the Laplacian of the kNN
influence graph K, with pyNBS's updates:

* W <- W * (D H^T + lambda K W) / (W H H^T + lambda Deg W), floored at eps, then each
  column of W divided by its sum;
* H <- the exact non-negative least-squares solution given W, floored at eps
  (pyNBS calls scipy's nnls per patient; nnls_gram solves all patients at once);
* stop after max_iter updates (pyNBS: 249, its loop ending before the update of its
  250th iteration; it would also stop when ||W H - W' H'||_F < 1e-8 or ||D - W H||_F
  < 1e-4, which never happens on its data), or, with tol > 0, earlier when both factors
  change by less than tol (relative Frobenius norm) in an update (pancan's earlier
  default: 100 updates, tol 1e-5).

Initialisation as pyNBS: H uniform in [0, 1), W the least-squares fit to it,
columns normalised. Several ranks share every pass over the data: their factors are
stacked, so D H^T and W^T D are one matrix product each for all ranks (the data being
the costly operand), and the W update is one vectorised step for all ranks. Each rank has
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
    max_iter: int = 249  # updates; pyNBS's netNMF_maxiter = 250 stops before the 250th
    tol: float = 0.0  # 0: every update, as pyNBS (its own stopping rules never trigger)


def _products_with_data(X, H: np.ndarray) -> np.ndarray:
    """D H^T = X^T H^T (genes x k) for X patients x genes, dense or sparse."""
    if sp.issparse(X):
        return np.asarray(X.T @ H.T, dtype=np.float32)
    return np.ascontiguousarray((H @ X).T)


def network_nmf(
    X,
    ranks,
    knn=None,
    *,
    regularization=200.0,
    max_iter: int = 249,
    tol: float = 0.0,
    seeds=None,
    initial_H=None,
) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Fit one network-regularised NMF per rank; returns [(H^T patients x k, W genes x k, updates)].

    X: non-negative patients x genes (dense or sparse); knn: genes x genes symmetric
    binary influence graph (None or lambda = 0: plain multiplicative NMF with NNLS);
    regularization: lambda, or one per rank (ranks then fitted together may differ in lambda only);
    max_iter: updates of W and H (pyNBS's netNMF_maxiter = 250 makes 249); tol: stop a
    rank earlier when both factors change by less (0: never, as pyNBS);
    seeds: one seed per rank (the initialisation); initial_H: or one k x patients initial H per rank.
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
    lambdas = np.broadcast_to(np.asarray(regularization, dtype=np.float32), (len(ranks),))
    if knn is None:
        lambdas = np.zeros(len(ranks), dtype=np.float32)
    if lambdas.min() < 0:
        raise PancanError(f"regularization must be non-negative, got {regularization}")
    if knn is not None:
        knn = sp.csr_matrix(knn, dtype=np.float32)
        if knn.shape != (n_genes, n_genes):
            raise PancanError(f"influence graph has shape {knn.shape}, data has {n_genes} genes")
        degree = np.asarray(knn.sum(axis=1), dtype=np.float32).ravel()
    bounds = np.cumsum([0, *ranks])
    blocks = [slice(bounds[i], bounds[i + 1]) for i in range(len(ranks))]
    # stacked factors: W genes x sum(ranks), H sum(ranks) x patients; rank i owns columns / rows blocks[i]
    if initial_H is None:
        initial_H = [np.random.default_rng(seed).random((k, n_patients)) for k, seed in zip(ranks, seeds)]
    if [np.shape(h) for h in initial_H] != [(k, n_patients) for k in ranks]:
        raise PancanError(f"initial H must be one k x {n_patients} matrix per rank {ranks}")
    H = np.vstack([np.maximum(h, EPS) for h in initial_H]).astype(np.float32)
    DHt = _products_with_data(X, H)
    W = np.empty((n_genes, bounds[-1]), dtype=np.float32)
    for block in blocks:
        # least-squares W for the initial H: D H^T (H H^T)^-1, columns normalised (pyNBS)
        fit = np.linalg.solve(H[block] @ H[block].T, DHt[:, block].T).T
        W[:, block] = np.maximum(fit / fit.sum(axis=0), EPS)
    iterations = np.zeros(len(ranks), dtype=int)
    passive = [None] * len(ranks)
    active = list(range(len(ranks)))
    lam = np.repeat(lambdas, ranks)  # one lambda per stacked column
    regularized = bool(lam.any())
    lam_degree = degree[:, None] * lam[None, :] if regularized else None
    track = tol > 0  # the change per update is only needed to stop early
    while active:
        if track:
            W_previous, H_previous = W.copy(), H.copy()
        frozen = np.ones(bounds[-1], dtype=bool)
        for i in active:
            frozen[blocks[i]] = False
        cross = np.zeros((bounds[-1], bounds[-1]), dtype=np.float32)  # block-diagonal H_i H_i^T
        for block in blocks:
            cross[block, block] = H[block] @ H[block].T
        numerator = _products_with_data(X, H)
        numerator += EPS
        denominator = W @ cross
        denominator += EPS
        if regularized:
            numerator += (knn @ W) * lam
            denominator += lam_degree * W
        numerator /= denominator
        numerator[:, frozen] = 1.0  # converged ranks keep their factors
        W *= numerator
        np.maximum(W, EPS, out=W)
        W /= np.maximum(W.sum(axis=0), EPS)
        WtD = np.asarray(X @ W, dtype=np.float64).T  # W^T D, every rank
        gram = (W.T @ W).astype(np.float64)
        if track:
            W_change = np.einsum("ij,ij->j", W - W_previous, W - W_previous, dtype=np.float64)  # per column
            W_norm = np.einsum("ij,ij->j", W, W, dtype=np.float64)
        still_active = []
        for i in active:
            block = blocks[i]
            solution = nnls_gram(gram[block, block], WtD[block], passive[i])
            passive[i] = solution > 0
            H[block] = np.maximum(solution, EPS)
            iterations[i] += 1
            if iterations[i] >= max_iter:
                continue
            if track:
                H_change = float(np.sum((H[block] - H_previous[block]) ** 2, dtype=np.float64))
                change = np.sqrt(
                    max(
                        W_change[block].sum() / max(W_norm[block].sum(), 1e-30),
                        H_change / max(float(np.sum(H[block] ** 2, dtype=np.float64)), 1e-30),
                    )
                )
                if change < tol:
                    continue
            still_active.append(i)
        active = still_active
    return [(H[block].T.copy(), W[:, block].copy(), int(iterations[i])) for i, block in enumerate(blocks)]


def plain_nmf(X, rank: int, *, max_iter: int = 250, tol: float = 1e-6, seed: int = 0) -> np.ndarray:
    """scikit-learn NMF (coordinate descent, random initialisation): patient loadings (patients x rank)."""
    model = NMF(n_components=rank, init="random", random_state=seed, max_iter=max_iter, tol=tol)
    return model.fit_transform(X)


def factorize(X, ranks, factorization: Factorization, knn=None, seeds=None) -> list[np.ndarray]:
    """Patient loadings (patients x k) for each rank, by the configured factorisation."""
    seeds = list(range(len(ranks))) if seeds is None else list(seeds)
    if factorization.method == "network_nmf":
        fits = network_nmf(
            X,
            ranks,
            knn,
            regularization=factorization.regularization,
            max_iter=factorization.max_iter,
            tol=factorization.tol,
            seeds=seeds,
        )
        return [loadings for loadings, _, _ in fits]
    if factorization.method == "nmf":
        return [
            plain_nmf(X, k, max_iter=factorization.max_iter, tol=factorization.tol, seed=s)
            for k, s in zip(ranks, seeds)
        ]
    raise PancanError(f"unknown factorization {factorization.method!r} (network_nmf or nmf)")
