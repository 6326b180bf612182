"""Compiled loops (numba) of the survival SVM solver: products with the pair incidence and with sparse columns.

With B the pairs x patients incidence (+1 at the earlier, -1 at the later patient of a
pair) and L_A the Laplacian of a subset A of pairs, the solver needs B s, B' v, L_A V, the
dense L_A updated from the pairs whose activity changed, and a few columns of a sparse X
(gathered dense, or times a vector). Each is a single pass over the pairs or the
stored entries (B' v and L_A V add in another order than scipy's products would). The solver calls
them tens of thousands of times on small operands, where building and validating scipy
sparse matrices cost more than the arithmetic.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def pair_slack(scores, earlier, later):  # pragma: no cover (compiled)
    """max(0, 1 - (s_earlier - s_later)) per pair: the hinge's slack, 1 - B s clipped at 0."""
    slack = np.empty(len(earlier))
    for p in range(len(earlier)):
        value = 1.0 - (scores[earlier[p]] - scores[later[p]])
        slack[p] = value if value > 0.0 else 0.0
    return slack


@numba.njit(cache=True, nogil=True)
def pair_scatter(values, scale, earlier, later, n):  # pragma: no cover (compiled)
    """B' (scale * values): each pair's value added to its earlier patient and subtracted from its later one.

    A run of pairs with the same earlier patient (the solver sorts pairs by it) is summed in a local
    variable and added once: adding to the same entry pair after pair would wait on the previous store.
    """
    out = np.zeros(n)
    running = 0.0
    current = earlier[0] if len(earlier) else 0
    for p in range(len(earlier)):
        if earlier[p] != current:
            out[current] += running
            running = 0.0
            current = earlier[p]
        term = scale * values[p]
        running += term
        out[later[p]] -= term
    if len(earlier):
        out[current] += running
    return out


@numba.njit(cache=True, nogil=True)
def laplacian_product(right, earlier, later, active):  # pragma: no cover (compiled)
    """L_A right for the active pairs A: per pair (i, j), row i gains right_i - right_j and row j loses it."""
    n, q = right.shape
    out = np.zeros((n, q))
    for p in range(len(earlier)):
        if active[p]:
            i, j = earlier[p], later[p]
            for c in range(q):
                difference = right[i, c] - right[j, c]
                out[i, c] += difference
                out[j, c] -= difference
    return out


@numba.njit(cache=True, nogil=True)
def update_laplacian(laplacian, earlier, later, active, previous):  # pragma: no cover (compiled)
    """L_A from L_previous in place: each pair whose activity changed adds or removes its (i, j) Laplacian
    (+1 at (i, i) and (j, j), -1 at (i, j) and (j, i)). The entries are integers: exact in any order."""
    for p in range(len(earlier)):
        if active[p] != previous[p]:
            sign = 1.0 if active[p] else -1.0
            i, j = earlier[p], later[p]
            laplacian[i, i] += sign
            laplacian[j, j] += sign
            laplacian[i, j] -= sign
            laplacian[j, i] -= sign


@numba.njit(cache=True, nogil=True)
def columns_product(indptr, indices, data, columns, weights, n):  # pragma: no cover (compiled)
    """X[:, columns] @ weights for a CSC matrix X (columns in the given order)."""
    out = np.zeros(n)
    for position in range(len(columns)):
        column, weight = columns[position], weights[position]
        for entry in range(indptr[column], indptr[column + 1]):
            out[indices[entry]] += data[entry] * weight
    return out


@numba.njit(cache=True, nogil=True)
def dense_columns(indptr, indices, data, columns, n):  # pragma: no cover (compiled)
    """X[:, columns] of a CSC matrix X as a dense float64 array (columns in the given order)."""
    out = np.zeros((n, len(columns)))
    for position in range(len(columns)):
        column = columns[position]
        for entry in range(indptr[column], indptr[column + 1]):
            out[indices[entry], position] += data[entry]  # duplicate entries add, as in scipy
    return out


@numba.njit(cache=True, nogil=True)
def column_dots(indptr, indices, data, vector):  # pragma: no cover (compiled)
    """X' vector for a CSC matrix X: each column's entries times the vector's, in row order."""
    out = np.zeros(len(indptr) - 1)
    for column in range(len(indptr) - 1):
        total = 0.0
        for entry in range(indptr[column], indptr[column + 1]):
            total += data[entry] * vector[indices[entry]]
        out[column] = total
    return out
