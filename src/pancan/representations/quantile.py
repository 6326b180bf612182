"""Quantile normalisation of patient profiles onto a reference learned on training patients only."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from pancan.errors import PancanError


def quantile_reference(F: np.ndarray) -> np.ndarray:
    """Mean of the sorted profiles: the r-th value is the mean r-th smallest value across patients."""
    return np.sort(F, axis=1).mean(axis=0)


_CHUNK_ROWS = 128  # rows mapped at once: bounds the (rows x genes) index arrays


def map_to_reference(F: np.ndarray, reference: np.ndarray, n_jobs: int = 1) -> np.ndarray:
    """Replace each value by the reference value of its within-row rank.

    Tied values of a row get the mean reference value over the ranks they span,
    so ties stay tied and each row's mean equals the reference mean.
    """
    reference = np.asarray(reference, dtype=np.float64)
    out = np.empty(F.shape, dtype=np.float64)

    def map_chunk(start: int) -> None:
        out[start : start + _CHUNK_ROWS] = _map_rows(F[start : start + _CHUNK_ROWS], reference)

    starts = range(0, F.shape[0], _CHUNK_ROWS)
    if n_jobs > 1:  # numpy's sort and gathers release the GIL
        with ThreadPoolExecutor(n_jobs) as pool:
            list(pool.map(map_chunk, starts))
    else:
        for start in starts:
            map_chunk(start)
    return out


def _map_rows(F: np.ndarray, reference: np.ndarray) -> np.ndarray:
    n_rows, n_cols = F.shape
    order = np.argsort(F, axis=1)  # stability is irrelevant: tied values are averaged below
    ordered = np.take_along_axis(F, order, axis=1)
    new_run = np.ones((n_rows, n_cols), dtype=bool)
    new_run[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    # one id per run of tied values, numbered across the whole block
    run_id = np.cumsum(new_run.ravel()) - 1
    sums = np.bincount(run_id, weights=np.tile(reference, n_rows))
    sizes = np.bincount(run_id)
    values = np.repeat(sums / sizes, sizes).reshape(n_rows, n_cols)  # runs are contiguous
    out = np.empty((n_rows, n_cols), dtype=np.float64)
    np.put_along_axis(out, order, values, axis=1)
    return out


class QuantileNormalizer(TransformerMixin, BaseEstimator):
    """Map each patient's profile onto the reference distribution of the training patients.

    `fit` learns the reference (mean sorted profile) from the rows it is given;
    `transform` maps any row, training or test, onto that same reference. Test
    rows never influence the reference. `n_jobs` threads map row chunks.
    """

    def __init__(self, n_jobs: int = 1):
        self.n_jobs = n_jobs

    def fit(self, X, y=None):
        F = self._dense(X)
        self.reference_ = quantile_reference(F)
        self.n_features_in_ = F.shape[1]
        return self

    def transform(self, X):
        check_is_fitted(self, "reference_")
        F = self._dense(X)
        if F.shape[1] != self.n_features_in_:
            raise PancanError(f"QuantileNormalizer was fitted on {self.n_features_in_} features, got {F.shape[1]}")
        return map_to_reference(F, self.reference_, self.n_jobs)

    @staticmethod
    def _dense(X) -> np.ndarray:
        if sp.issparse(X):
            X = X.toarray()
        return check_array(X, dtype=[np.float64, np.float32])
