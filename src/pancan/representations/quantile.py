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


_CHUNK_ROWS = 128  # rows ranked at once: bounds the (rows x genes) temporaries


def map_ranked(ranked: "RankedProfiles", reference: np.ndarray) -> np.ndarray:
    """Each entry gets the mean reference value over the sorted positions its tie run spans.

    So ties stay tied, and each row's mean equals the reference mean.
    """
    cumulative = np.concatenate([[0.0], np.cumsum(np.asarray(reference, dtype=np.float64))])
    return (cumulative[ranked.run_end + 1] - cumulative[ranked.run_start]) / (ranked.run_end - ranked.run_start + 1)


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
        return map_ranked(rank_profiles(F, self.n_jobs), self.reference_)

    @staticmethod
    def _dense(X) -> np.ndarray:
        if sp.issparse(X):
            X = X.toarray()
        return check_array(X, dtype=[np.float64, np.float32])


class RankedProfiles:
    """The patient-wise half of quantile normalisation: each row sorted, and each entry's run of tied values.

    Within-patient ranks do not depend on other patients, so they can be computed
    once for a whole cohort; only the reference (mean sorted training row) must be
    learned per training set, by ReferenceQuantileMap. Rows can be selected with
    `profiles[rows]`.
    """

    def __init__(self, sorted_values: np.ndarray, run_start: np.ndarray, run_end: np.ndarray):
        self.sorted_values = sorted_values
        self.run_start = run_start
        self.run_end = run_end

    @property
    def shape(self) -> tuple[int, int]:
        return self.sorted_values.shape

    def __getitem__(self, rows) -> "RankedProfiles":
        return RankedProfiles(self.sorted_values[rows], self.run_start[rows], self.run_end[rows])


def rank_profiles(F, n_jobs: int = 1) -> RankedProfiles:
    """Sort each row once and record, for every entry, the first and last sorted position of its tie run."""
    F = QuantileNormalizer._dense(F)
    n_rows, n_cols = F.shape
    sorted_values = np.empty(F.shape, dtype=F.dtype)
    run_start = np.empty(F.shape, dtype=np.int32)
    run_end = np.empty(F.shape, dtype=np.int32)
    positions = np.arange(n_cols, dtype=np.int32)

    def rank_chunk(start: int) -> None:
        block = F[start : start + _CHUNK_ROWS]
        order = np.argsort(block, axis=1)
        ordered = np.take_along_axis(block, order, axis=1)
        new_run = np.ones(block.shape, dtype=bool)
        new_run[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
        last = np.ones(block.shape, dtype=bool)
        last[:, :-1] = new_run[:, 1:]
        first_position = np.maximum.accumulate(np.where(new_run, positions, 0), axis=1)
        last_position = np.minimum.accumulate(np.where(last, positions, n_cols - 1)[:, ::-1], axis=1)[:, ::-1]
        rows = slice(start, start + block.shape[0])
        sorted_values[rows] = ordered
        np.put_along_axis(run_start[rows], order, first_position.astype(np.int32), axis=1)
        np.put_along_axis(run_end[rows], order, last_position.astype(np.int32), axis=1)

    starts = range(0, n_rows, _CHUNK_ROWS)
    if n_jobs > 1:
        with ThreadPoolExecutor(n_jobs) as pool:
            list(pool.map(rank_chunk, starts))
    else:
        for start in starts:
            rank_chunk(start)
    return RankedProfiles(sorted_values, run_start, run_end)


class ReferenceQuantileMap(TransformerMixin, BaseEstimator):
    """The fitted half of quantile normalisation, on RankedProfiles: same result as QuantileNormalizer.

    fit: reference = mean sorted training row; transform: each entry gets the
    mean reference value over its tie run. Cost per call is a gather, not a sort.
    """

    def fit(self, X: RankedProfiles, y=None):
        self.reference_ = X.sorted_values.mean(axis=0, dtype=np.float64)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: RankedProfiles) -> np.ndarray:
        check_is_fitted(self, "reference_")
        if X.shape[1] != self.n_features_in_:
            raise PancanError(f"ReferenceQuantileMap was fitted on {self.n_features_in_} features, got {X.shape[1]}")
        return map_ranked(X, self.reference_)
