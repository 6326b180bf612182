"""When numpy's column reductions add the rows one after another: where the compiled loops give numpy's numbers.

numpy reduces over axis 0 of a C-ordered matrix with several columns row after row; a
Fortran-ordered matrix, or a single column, it sums pairwise. The compiled loops of
quantile normalisation and the variance filter add rows in order, so they stand in for
numpy only where numpy does the same (tests/test_compiled_kernels.py).
"""

from __future__ import annotations

import numpy as np


def adds_rows_in_order(X: np.ndarray) -> bool:
    """Whether numpy's X.sum(axis=0) (and mean, var) adds X's rows in order: native float, C order, several columns."""
    return (
        X.ndim == 2
        and X.flags.c_contiguous
        and X.shape[1] > 1
        and X.dtype.isnative
        and X.dtype in (np.float32, np.float64)
    )
