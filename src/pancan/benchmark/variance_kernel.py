"""Compiled column variance (numba) of a dense matrix, for the variance filter.

Same result as numpy's `X.var(axis=0, dtype=np.float64)` bit for bit (its two passes, rows
added in order, as numpy does for C-ordered matrices of several columns; tested), without
numpy's float64 temporaries of the whole block: 43 -> 11 ms on BRCA's 780 x 20,057 NSQN
training matrix (docs/benchmarks.md). Imported on first use.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def column_variance(X):  # pragma: no cover (compiled)
    """X.var(axis=0, dtype=np.float64) of a dense matrix: numpy's two passes (mean, then squared deviations)."""
    n_rows, n_cols = X.shape
    mean = np.zeros(n_cols)
    for i in range(n_rows):
        for j in range(n_cols):
            mean[j] += np.float64(X[i, j])
    mean = mean / n_rows
    squares = np.zeros(n_cols)
    for i in range(n_rows):
        for j in range(n_cols):
            deviation = np.float64(X[i, j]) - mean[j]
            squares[j] += deviation * deviation
    return squares / n_rows
