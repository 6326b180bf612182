"""Control representations: raw mutated genes, network genes only, and the mutation count."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from pancan.errors import InvalidParameterError
from pancan.representations.validation import check_profiles, feature_names


class _Profiles(TransformerMixin, BaseEstimator):
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _columns(self) -> int:
        return 0

    def fit(self, X, y=None):
        check_profiles(self, X, self._columns(), reset=True)
        self.fitted_ = True
        return self

    def _checked(self, X) -> sp.csr_matrix:
        check_is_fitted(self, "fitted_")
        return check_profiles(self, X, self._columns(), reset=False)


class RawMutations(_Profiles):
    """All mutated genes, as given (sparse; a copy, the input is never modified)."""

    def transform(self, X):
        return self._checked(X).copy()

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "fitted_")
        return feature_names(self, input_features)


class RawNetworkMutations(_Profiles):
    """Mutated genes of the network only: the first `n_network_genes` columns."""

    def __init__(self, n_network_genes: int = 1):
        self.n_network_genes = n_network_genes

    def _columns(self) -> int:
        if not isinstance(self.n_network_genes, (int, np.integer)) or self.n_network_genes < 1:
            raise InvalidParameterError(f"n_network_genes must be a positive integer, got {self.n_network_genes!r}")
        return int(self.n_network_genes)

    def transform(self, X):
        return self._checked(X)[:, : self.n_network_genes]

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "fitted_")
        return feature_names(self, input_features, self.n_network_genes)


class MutationCount(_Profiles):
    """One feature: the number of mutated genes of each patient (non-zero entries).

    n_network_genes : count only the first n columns (the network's genes, as the NetNorM
        code does); None counts every column.
    log : log1p of the count.
    """

    def __init__(self, n_network_genes: int | None = None, log: bool = False):
        self.n_network_genes = n_network_genes
        self.log = log

    def _columns(self) -> int:
        if self.n_network_genes is None:
            return 0
        if not isinstance(self.n_network_genes, (int, np.integer)) or self.n_network_genes < 1:
            raise InvalidParameterError(
                f"n_network_genes must be None or a positive integer, got {self.n_network_genes!r}"
            )
        return int(self.n_network_genes)

    def transform(self, X):
        X = self._checked(X)
        if self.n_network_genes is not None:
            X = X[:, : self.n_network_genes]
        counts = np.diff(sp.csr_matrix(X != 0).indptr).astype(np.float64)[:, None]
        return np.log1p(counts) if self.log else counts

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "fitted_")
        return np.array(["mutation_count"], dtype=object)
