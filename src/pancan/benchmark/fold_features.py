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
from sklearn.utils.validation import check_is_fitted


def column_variance(X) -> np.ndarray:
    if sp.issparse(X):
        mean = np.asarray(X.mean(axis=0)).ravel()
        return np.asarray(X.multiply(X).mean(axis=0)).ravel() - mean * mean
    return np.asarray(X).var(axis=0)


class VarianceFilter(TransformerMixin, BaseEstimator):
    """Keep the `max_features` columns of highest training variance (constant columns always dropped).

    Unsupervised (survival is not used) and fitted on training rows only.
    `selected_` holds the kept column indices, in increasing order.
    """

    def __init__(self, max_features: int | None = 2000):
        self.max_features = max_features

    def fit(self, X, y=None):
        variance = column_variance(X)
        candidates = np.flatnonzero(variance > 1e-12)
        if self.max_features and len(candidates) > self.max_features:
            # highest variance first, ties to the lower column index
            order = np.lexsort((candidates, -variance[candidates]))
            candidates = np.sort(candidates[order[: self.max_features]])
        self.selected_ = candidates
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        check_is_fitted(self, "selected_")
        return X[:, self.selected_]


class ColumnScaler(TransformerMixin, BaseEstimator):
    """Divide each column by its training standard deviation; no centring, so sparse stays sparse.

    Ranking losses use differences between patients, which centring would not change.
    """

    def fit(self, X, y=None):
        std = np.sqrt(np.maximum(column_variance(X), 0.0))
        self.scale_ = np.where(std > 1e-12, std, 1.0)
        return self

    def transform(self, X):
        check_is_fitted(self, "scale_")
        if sp.issparse(X):
            return sp.csr_matrix(X @ sp.diags(1.0 / self.scale_))
        return np.asarray(X, dtype=np.float64) / self.scale_


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
        ]
    )


class AsText(TransformerMixin, BaseEstimator):
    """Cast object/string columns to plain Python str objects for the imputer and encoder."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        X = X.copy()
        for column in X.columns:
            if not pd.api.types.is_numeric_dtype(X[column]):
                X[column] = X[column].astype(object).where(X[column].notna(), np.nan)
        return X
