"""Quantile normalisation of patient profiles onto a reference learned on training patients only.

Split in two halves: the within-patient ranking (`rank_profiles`: each row sorted, and
each entry's run of tied values) depends on that patient alone, so NSQN memoises it per
patient; the reference (the mean sorted training row) is the only thing learned from
other patients, in `fit`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from pancan.representations.validation import feature_names

_CHUNK_ROWS = 128  # rows ranked at once: bounds the (rows x genes) temporaries


class RankedProfiles(NamedTuple):
    """Each row sorted, and for every entry the first and last sorted position of its run of ties."""

    sorted_values: np.ndarray
    run_start: np.ndarray
    run_end: np.ndarray


def position_dtype(n_columns: int) -> np.dtype:
    """Smallest integer type holding a sorted position (int16 for networks of up to 32,767 genes)."""
    return np.dtype(np.int16) if n_columns <= np.iinfo(np.int16).max else np.dtype(np.int32)


def rank_profiles(F: np.ndarray, n_jobs: int = 1) -> RankedProfiles:
    """Sort each row once and record, for every entry, the first and last sorted position of its tie run."""
    F = np.asarray(F)
    if F.dtype.kind not in "iuf" or F.dtype.itemsize < 4 or not F.dtype.isnative:
        F = F.astype(np.float64)  # what the compiled loop takes (same order, same runs)
    n_rows, n_cols = F.shape
    dtype = position_dtype(n_cols)
    sorted_values = np.empty(F.shape, dtype=F.dtype)
    run_start = np.empty(F.shape, dtype=dtype)
    run_end = np.empty(F.shape, dtype=dtype)
    kernels = _kernels()

    def rank_chunk(start: int) -> None:
        rows = slice(start, start + _CHUNK_ROWS)
        block = np.ascontiguousarray(F[rows])
        order = np.argsort(block, axis=1)  # any order within a tie run gives the same runs
        kernels.tie_runs(block, order, sorted_values[rows], run_start[rows], run_end[rows])

    starts = range(0, n_rows, _CHUNK_ROWS)
    if n_jobs > 1 and n_rows > _CHUNK_ROWS:
        with ThreadPoolExecutor(n_jobs) as pool:
            list(pool.map(rank_chunk, starts))
    else:
        for start in starts:
            rank_chunk(start)
    return RankedProfiles(sorted_values, run_start, run_end)


def map_ranked(ranked, reference: np.ndarray, dtype=np.float64, rows: np.ndarray | None = None) -> np.ndarray:
    """Each entry gets the mean reference value over the sorted positions its tie run spans.

    So ties stay tied, and each row's mean equals the reference mean. `rows` picks rows of
    `ranked` (a memo's store) without copying them; the result has one row per picked row.
    """
    run_start, run_end = np.ascontiguousarray(ranked.run_start), np.ascontiguousarray(ranked.run_end)
    rows = np.arange(len(run_start)) if rows is None else np.asarray(rows, dtype=np.int64)
    out = np.empty((len(rows), run_start.shape[1]), dtype=dtype)
    _kernels().map_rows(run_start, run_end, rows, np.ascontiguousarray(reference, dtype=np.float64), out)
    return out


def quantile_reference(sorted_values: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """The r-th reference value is the mean r-th smallest value across the (training) patients (`rows`, or all)."""
    sorted_values = _native_float(np.asarray(sorted_values))
    rows = np.arange(len(sorted_values)) if rows is None else np.asarray(rows, dtype=np.int64)
    return _kernels().mean_of_rows(sorted_values, rows)


def _native_float(X: np.ndarray) -> np.ndarray:
    """X itself when the compiled loops take it as it is (native float32/64), else a float64 copy."""
    return X if X.dtype.isnative and X.dtype.type in (np.float32, np.float64) else X.astype(np.float64)


def _kernels():
    """The compiled loops, imported (and numba with them) on first use."""
    from pancan.representations import quantile_kernels

    return quantile_kernels


class QuantileNormalizer(TransformerMixin, BaseEstimator):
    """Map each patient's profile onto the reference distribution of the training patients.

    `fit` learns the reference (mean sorted profile) from the rows it is given;
    `transform` maps any row, training or test, onto that same reference. Test rows never
    influence the reference. `n_jobs` threads rank row chunks.
    """

    def __init__(self, n_jobs: int = 1):
        self.n_jobs = n_jobs

    def _dense(self, X, reset: bool) -> np.ndarray:
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=reset)
        return X.toarray() if sp.issparse(X) else X

    def fit(self, X, y=None):
        F = self._dense(X, reset=True)
        self.reference_ = quantile_reference(np.sort(F, axis=1))
        return self

    def transform(self, X):
        check_is_fitted(self, "reference_")
        return map_ranked(rank_profiles(self._dense(X, reset=False), self.n_jobs), self.reference_)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "reference_")
        return feature_names(self, input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
