"""Straightforward per-patient implementations of the representation definitions: test oracles.

Deliberately written from the definitions, not from the fast code: two cases
for NetNorM as in the paper, plain power iteration for smoothing, a rank loop
for quantile normalisation. Also used by the benchmark script for comparison.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def reference_netnorm(X, adjacency, k: int) -> np.ndarray:
    """Per patient: > k mutations keep the k of highest degree; fewer get proxies with most mutated neighbours."""
    X = sp.csr_matrix(X)
    A = sp.csr_matrix(adjacency)
    n_genes = A.shape[0]
    degree = np.asarray(A.sum(axis=1)).ravel()
    out = np.zeros((X.shape[0], n_genes))
    for patient in range(X.shape[0]):
        row = X[patient, :n_genes]
        mutated = [int(g) for g in row.indices if row[0, g] != 0]
        if len(mutated) >= k:
            chosen = sorted(mutated, key=lambda g: (-degree[g], g))[:k]
        else:
            mutated_neighbours = np.asarray(A[:, mutated].sum(axis=1)).ravel() if mutated else np.zeros(n_genes)
            mutated_set = set(mutated)
            others = [g for g in range(n_genes) if g not in mutated_set]
            proxies = sorted(others, key=lambda g: (-mutated_neighbours[g], -degree[g], g))
            chosen = mutated + proxies[: k - len(mutated)]
        out[patient, chosen] = 1
    return out


def reference_smoothing(
    X, adjacency, alpha: float, normalization: str = "symmetric", tol: float = 1e-10, max_iter: int = 10000
) -> np.ndarray:
    """Per patient power iteration f <- alpha f A_norm + (1 - alpha) f0 until the step is below tol."""
    A = sp.csr_matrix(adjacency, dtype=np.float64)
    n_genes = A.shape[0]
    degree = np.asarray(A.sum(axis=1)).ravel()
    with np.errstate(divide="ignore"):
        inv = np.where(degree > 0, 1 / degree, 0.0)
    if normalization == "symmetric":
        A_norm = sp.diags(np.sqrt(inv)) @ A @ sp.diags(np.sqrt(inv))
    else:
        A_norm = sp.diags(inv) @ A
    A_norm = sp.csr_matrix(A_norm)
    X = sp.csr_matrix(X, dtype=np.float64)
    out = np.zeros((X.shape[0], n_genes))
    for patient in range(X.shape[0]):
        f0 = X[patient, :n_genes].toarray().ravel()
        f = f0.copy()
        for _ in range(max_iter):
            f_next = alpha * (A_norm.T @ f) + (1 - alpha) * f0  # row vector f times A_norm
            done = np.abs(f_next - f).max() < tol
            f = f_next
            if done:
                break
        out[patient] = f
    return out


def reference_quantile_normalize(train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """Reference = mean sorted training row; each test value -> mean reference over the ranks its ties span."""
    reference = np.sort(train, axis=1).mean(axis=0)
    out = np.zeros(test.shape)
    for i, row in enumerate(test):
        order = np.argsort(row, kind="stable")
        for value in np.unique(row):
            positions = [r for r, g in enumerate(order) if row[g] == value]
            out[i, row == value] = reference[positions].mean()
    return out


def reference_netnorm_original(X, adjacency, k: int) -> np.ndarray:
    """The NetNorM code's rule, per patient: float scores, equal scores won by the later gene.

    Mutated genes score 1 + degree / max degree, others mutated neighbours / the
    patient's maximum (0 when the patient has no mutated neighbour at all).
    """
    X = sp.csr_matrix(X)
    A = sp.csr_matrix(adjacency).toarray()
    n_genes = A.shape[0]
    degree = A.sum(axis=1)
    out = np.zeros((X.shape[0], n_genes))
    for patient in range(X.shape[0]):
        mutated = X[patient, :n_genes].toarray().ravel() != 0
        neighbours = A[:, mutated].sum(axis=1)
        peak = neighbours.max()
        scores = [
            1 + degree[g] / degree.max() if mutated[g] else (neighbours[g] / peak if peak else 0.0)
            for g in range(n_genes)
        ]
        # sort by (score, position): the last k are the highest scores, ties to the later gene
        chosen = sorted(range(n_genes), key=lambda g: (scores[g], g))[-k:]
        out[patient, chosen] = 1
    return out
