"""Input checks shared by the representation transformers (they never modify their inputs)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_is_fitted, validate_data


def check_profiles(estimator, X, n_network: int, *, reset: bool) -> sp.csr_matrix:
    """Sparse float CSR patients x genes whose first `n_network` columns are the network's genes.

    Extra columns are genes outside the network. Fewer columns than network genes is an
    error (scikit-learn's "Found array with 1 feature(s)" message) that says to align.
    """
    # after fit, the feature count is checked against n_features_in_ (scikit-learn's message)
    minimum = max(1, n_network) if reset else 1
    try:
        X = validate_data(
            estimator, X, accept_sparse="csr", dtype=[np.float64, np.float32], ensure_min_features=minimum, reset=reset
        )
    except ValueError as error:
        if "feature(s)" in str(error) and "minimum of" in str(error):
            raise ValueError(
                f"{error} (the network has {n_network} genes; align the mutation matrix with "
                "pancan.representations.align_to_network)"
            ) from error
        raise
    return sp.csr_matrix(X)


def binary_network_part(X: sp.csr_matrix, n_network: int) -> sp.csr_matrix:
    """The network columns as a 0/1 float32 matrix (any non-zero entry counts as mutated); a new matrix."""
    part = sp.csr_matrix(X[:, :n_network], dtype=np.float32, copy=True)
    part.eliminate_zeros()
    part.data[:] = 1.0
    part.sort_indices()
    return part


@lru_cache(maxsize=16)
def default_feature_names(prefix: str, n: int) -> np.ndarray:
    """x0, x1, ... (scikit-learn's names for unnamed columns), read-only and built once per width: the inner CV
    names every split's ~20,000 transform columns for its warm starts, and building them in Python each time
    would be a large share of its bookkeeping."""
    names = np.array([f"{prefix}{i}" for i in range(n)], dtype=object)
    names.flags.writeable = False
    return names


def feature_names(estimator, input_features, n_out: int | None = None, prefix: str = "x") -> np.ndarray:
    """Names of the first `n_out` input features (scikit-learn's get_feature_names_out convention)."""
    if input_features is None:
        input_features = getattr(estimator, "feature_names_in_", None)
    if input_features is None:
        input_features = default_feature_names(prefix, estimator.n_features_in_)
    names = np.asarray(input_features, dtype=object)
    if len(names) != estimator.n_features_in_:
        raise ValueError(
            f"input_features has {len(names)} names, the estimator was fitted on {estimator.n_features_in_} features"
        )
    return names if n_out is None else names[:n_out]


class NetworkGenesOutput:
    """Mixin of the transformers whose output columns are the network's genes (fitted `adjacency_`), float32."""

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "adjacency_")
        return feature_names(self, input_features, self.adjacency_.n_genes)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float32"]  # float32 output whatever the input
        return tags
