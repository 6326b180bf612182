"""Compiled column variance (numba) of a dense matrix, for the variance filter.

numpy's `X.var(axis=0, dtype=np.float64)` as two passes (mean, then squared deviations),
without numpy's float64 temporaries of the whole block: four times faster on NSQN's
training matrices (docs/benchmarks.md). Imported on first use.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def column_variance(X):  # pragma: no cover (compiled)
    """X.var(axis=0, dtype=np.float64) of a dense matrix: the mean, then the mean squared deviation."""
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
