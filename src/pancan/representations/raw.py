"""Control representations: raw mutated genes, network genes only, and the mutation count."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from pancan.representations.validation import check_mutations


class RawMutations(TransformerMixin, BaseEstimator):
    """All mutated genes, as given (binary sparse)."""

    def fit(self, X, y=None):
        self.n_features_in_ = check_mutations(X, 0).shape[1]
        return self

    def transform(self, X):
        return check_mutations(X, 0)


class RawNetworkMutations(TransformerMixin, BaseEstimator):
    """Mutated genes of the network only: the first `n_network_genes` columns."""

    def __init__(self, n_network_genes: int = 0):
        self.n_network_genes = n_network_genes

    def fit(self, X, y=None):
        self.n_features_in_ = check_mutations(X, self.n_network_genes).shape[1]
        return self

    def transform(self, X):
        return check_mutations(X, self.n_network_genes)[:, : self.n_network_genes]


class MutationCount(TransformerMixin, BaseEstimator):
    """One feature: the number of mutated genes of each patient (log1p with `log=True`)."""

    def __init__(self, log: bool = False):
        self.log = log

    def fit(self, X, y=None):
        self.n_features_in_ = check_mutations(X, 0).shape[1]
        return self

    def transform(self, X):
        counts = np.asarray(sp.csr_matrix(check_mutations(X, 0) != 0).sum(axis=1), dtype=np.float64)
        return np.log1p(counts) if self.log else counts
