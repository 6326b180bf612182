"""What `PathSearchCV` asks of a model: predictions along a path of one parameter, and a refit at a point of it.

* `path_predict(X, y, values, X_test, guesses=None)`: risk scores of X_test (rows x values)
  for the model fitted on (X, y) at each value of the path, in the given order
  (warm-started where the model can, from `guesses` too: a neighbouring grid value's
  solutions, aligned to X's columns); a model that can reuse its solutions keeps them
  as `path_coefs_` (features x values, sparse);
* `fit_path(X, y, values)`: the model fitted at the last of `values`, reached along them.

Linear models get both from `path(X, y, alphas) -> coefficients (features x alphas)`.
Keyword fit parameters (`groups=`, for models whose `accepts_groups` is true: comparable
pairs only within a group) are passed through to `path`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


class LinearPathModel:
    """Mixin for linear models along an L1 penalty path (`alpha`); fills `coef_` and `alpha`."""

    def path_predict(self, X, y, values, X_test, guesses=None, **fit_params) -> np.ndarray:
        coefs = self.path(X, y, values, guesses=guesses, **fit_params)
        self.path_coefs_ = sp.csc_matrix(np.nan_to_num(coefs))  # the next grid value's guesses
        risk = X_test @ coefs
        return np.asarray(risk.toarray() if sp.issparse(risk) else risk, dtype=np.float64)

    def fit_path(self, X, y, values, **fit_params):
        coefs = self.path(X, y, values, **fit_params)
        finite = np.flatnonzero(np.isfinite(coefs).all(axis=0))
        last = int(finite[-1]) if len(finite) else None
        if last is None:
            raise ArithmeticError(f"{type(self).__name__}: no penalty of the path could be fitted")
        # a model that could not reach the weakest penalties (Coxnet overflow) reports the one it used
        params = {"alpha": float(values[last])}
        if "C" in self.get_params():
            params["C"] = None  # the path's alpha is absolute
        self.set_params(**params)
        self.coef_ = coefs[:, last]
        return self


def model_weights(model) -> np.ndarray:
    """Per-feature weights of a fitted model: its coefficients, or its feature importances (trees)."""
    if hasattr(model, "coef_"):
        return np.asarray(model.coef_, dtype=np.float64).ravel()
    return np.asarray(model.feature_importances_, dtype=np.float64).ravel()
