"""Compiled loops (numba) of quantile normalisation: tie runs, the reference, the map onto it.

Each loop computes what the plain numpy expression in its docstring computes
(tests/test_compiled_kernels.py). They exist for speed: numpy needs several passes, index
casts and row copies where one loop over the memoised rows suffices (measured in
docs/benchmarks.md). Imported on first use only, so jobs that never quantile-normalise do
not pay numba's import.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def tie_runs(block, order, sorted_values, run_start, run_end):  # pragma: no cover (compiled)
    """Row by row: sorted_values = block[order]; each entry's first and last sorted position among equal values."""
    n_rows, n_cols = block.shape
    for i in range(n_rows):
        first = 0
        while first < n_cols:
            value = block[i, order[i, first]]
            last = first
            while last + 1 < n_cols and block[i, order[i, last + 1]] == value:
                last += 1
            for position in range(first, last + 1):
                column = order[i, position]
                sorted_values[i, position] = block[i, column]
                run_start[i, column] = first
                run_end[i, column] = last
            first = last + 1


@numba.njit(cache=True, nogil=True)
def mean_of_rows(values, rows):  # pragma: no cover (compiled)
    """values[rows].mean(axis=0, dtype=np.float64)."""
    total = np.zeros(values.shape[1])
    for row in rows:
        for j in range(values.shape[1]):
            total[j] += np.float64(values[row, j])
    return total / len(rows)


@numba.njit(cache=True, nogil=True)
def map_rows(run_start, run_end, rows, reference, out):  # pragma: no cover (compiled)
    """out[i] = reference at rows[i]'s tie runs: the value at the run's position, or the mean over a tied run.

    numpy: cumulative = [0, cumsum(reference)]; untied entries take reference.astype(out.dtype)[start],
    tied ones (cumulative[end + 1] - cumulative[start]) / (end - start + 1), cast to out.dtype.
    """
    cumulative = np.empty(len(reference) + 1)
    cumulative[0] = 0.0
    running = 0.0
    for j in range(len(reference)):
        running += reference[j]
        cumulative[j + 1] = running
    values = reference.astype(out.dtype)
    for i in range(len(rows)):
        row = rows[i]
        for j in range(run_start.shape[1]):
            start, end = np.int64(run_start[row, j]), np.int64(run_end[row, j])
            if start == end:
                out[i, j] = values[start]
            else:
                out[i, j] = (cumulative[end + 1] - cumulative[start]) / (end - start + 1)
