"""Feature steps fitted on the training rows of each (inner or outer) split only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data

from pancan.errors import InvalidParameterError
from pancan.representations.validation import feature_names

_COLUMN_BLOCK = 2048  # dense columns per block of numpy's var: float64 temporaries stay small
_COMPILED_MIN_SIZE = 2**20  # dense entries from which the compiled loop pays for importing numba


def column_variance(X) -> np.ndarray:
    """Population variance of each column (sparse or dense), in float64, without a float64 copy of X.

    Dense: X.var(axis=0, dtype=np.float64); a large float matrix (NSQN's) goes through a
    compiled two-pass loop instead, four times faster and without float64 temporaries.
    """
    if sp.issparse(X):
        mean = np.asarray(X.mean(axis=0, dtype=np.float64)).ravel()
        return np.asarray(X.multiply(X).mean(axis=0, dtype=np.float64)).ravel() - mean * mean
    X = np.asarray(X)
    if (
        X.size >= _COMPILED_MIN_SIZE
        and X.shape[0] > 0
        and X.dtype.isnative
        and X.dtype.type in (np.float32, np.float64)
    ):
        from pancan.benchmark.variance_kernel import column_variance as compiled_column_variance

        return compiled_column_variance(X)
    return np.concatenate(
        [
            X[:, start : start + _COLUMN_BLOCK].var(axis=0, dtype=np.float64)
            for start in range(0, X.shape[1], _COLUMN_BLOCK)
        ]
        or [np.empty(0)]
    )


class VarianceFilter(TransformerMixin, BaseEstimator):
    """Keep the `max_features` columns of highest training variance (constant columns always dropped).

    Unsupervised (survival is not used) and fitted on training rows only; None or 0 keeps
    every non-constant column. `selected_` holds the kept column indices, in increasing order.
    """

    def __init__(self, max_features: int | None = 2000):
        self.max_features = max_features

    def fit(self, X, y=None):
        if self.max_features is not None and (
            not isinstance(self.max_features, (int, np.integer)) or self.max_features < 0
        ):
            raise InvalidParameterError(
                f"max_features must be None or a non-negative integer, got {self.max_features!r}"
            )
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=True)
        variance = column_variance(X)
        candidates = np.flatnonzero(variance > 1e-12)
        if self.max_features and len(candidates) > self.max_features:
            # highest variance first, ties to the lower column index
            order = np.lexsort((candidates, -variance[candidates]))
            candidates = np.sort(candidates[order[: self.max_features]])
        self.selected_ = candidates
        return self

    def transform(self, X):
        check_is_fitted(self, "selected_")
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False)
        return X[:, self.selected_]

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "selected_")
        return feature_names(self, input_features)[self.selected_]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class ColumnScaler(TransformerMixin, BaseEstimator):
    """Divide each column by its training standard deviation; no centring, so sparse stays sparse.

    Ranking losses use differences between patients, which centring would not change.
    """

    def fit(self, X, y=None):
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=True)
        std = np.sqrt(np.maximum(column_variance(X), 0.0))
        self.scale_ = np.where(std > 1e-12, std, 1.0)
        return self

    def transform(self, X):
        check_is_fitted(self, "scale_")
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False)
        if sp.issparse(X):
            return sp.csr_matrix(X @ sp.diags(1.0 / self.scale_))
        return np.asarray(X, dtype=np.float64) / self.scale_

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "scale_")
        return feature_names(self, input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def clinical_encoder(table: pd.DataFrame) -> ColumnTransformer:
    """Numeric covariates: median-imputed and standardised; others: one-hot with a 'missing' level."""
    numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
    categorical = [c for c in table.columns if c not in numeric]
    return ColumnTransformer(
        [
            ("numeric", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]), numeric),
            (
                "categorical",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="constant", fill_value="missing")),
                        ("encode", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
                    ]
                ),
                categorical,
            ),
        ],
        verbose_feature_names_out=False,
    )


class AsText(TransformerMixin, BaseEstimator):
    """Cast object/string columns of a DataFrame to plain Python str objects (NaN for missing) for the encoder."""

    def fit(self, X, y=None):
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = len(X.columns)
        return self

    def transform(self, X):
        X = X.copy()
        for column in X.columns:
            if not pd.api.types.is_numeric_dtype(X[column]):
                X[column] = X[column].astype(object).where(X[column].notna(), np.nan)
        return X

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return self.feature_names_in_
