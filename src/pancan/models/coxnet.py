"""Cox lasso / elastic net (scikit-survival's Coxnet) with the path protocol of the benchmark's search."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted, validate_data
from sksurv.linear_model import CoxnetSurvivalAnalysis

from pancan.models.path_model import LinearPathModel
from pancan.models.survival_svm import SurvivalModel, check_survival_target

logger = logging.getLogger(__name__)


class SparseCoxnet(LinearPathModel, SurvivalModel, BaseEstimator):
    """Penalised Cox model (l1_ratio=1: lasso) at one penalty `alpha`; predict() returns risk scores.

    A thin wrapper of `sksurv.linear_model.CoxnetSurvivalAnalysis` (dense input) that also
    fits whole penalty paths for `PathSearchCV`. At very small penalties Coxnet can fail
    with an ArithmeticError (numerical overflow); the path then drops its smallest
    penalties: their coefficients are NaN (logged), so they score NaN in the inner
    cross-validation and are never chosen.
    """

    def __init__(self, alpha: float = 0.01, l1_ratio: float = 1.0, max_iter: int = 100000):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.max_iter = max_iter

    def _validate_X(self, X, reset: bool):
        X = validate_data(self, X, accept_sparse="csr", dtype=np.float64, reset=reset)
        return X.toarray() if sp.issparse(X) else X

    def _validate(self, X, y):
        X = self._validate_X(X, reset=True)
        return X, check_survival_target(X, y)

    def _coxnet(self, alphas=None, n_alphas: int = 100) -> CoxnetSurvivalAnalysis:
        return CoxnetSurvivalAnalysis(
            l1_ratio=self.l1_ratio, alphas=alphas, n_alphas=n_alphas, max_iter=self.max_iter, fit_baseline_model=False
        )

    @staticmethod
    def _fit(model: CoxnetSurvivalAnalysis, X, y) -> CoxnetSurvivalAnalysis:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", UserWarning)
            return model.fit(X, y)

    def penalty_for(self, y, C: float | None = None) -> float:
        if C is not None:
            raise ValueError(
                "liblinear-style C penalties apply to the survival SVM only; use a relative path for Coxnet"
            )
        return float(self.alpha)

    def alpha_max(self, X, y) -> float:
        X, y = self._validate(X, y)
        return float(self._fit(self._coxnet(n_alphas=2), X, y).alphas_[0])

    def path(self, X, y, alphas, guesses=None) -> np.ndarray:
        """Coefficients (features x penalties) along decreasing `alphas`; NaN for penalties Coxnet could not fit.

        `guesses` is ignored: Coxnet's coordinate descent walks its own path from the empty model.
        """
        X, y = self._validate(X, y)
        alphas = np.asarray(alphas, dtype=np.float64)
        usable = len(alphas)
        while usable > 0:
            try:
                coefs = np.asarray(self._fit(self._coxnet(alphas[:usable]), X, y).coef_)
                break
            except ArithmeticError as error:
                logger.warning("Coxnet failed at small penalties (%s); dropping the smallest", error)
                usable -= 1
        if usable == 0:
            return np.full((X.shape[1], len(alphas)), np.nan)
        if usable < len(alphas):
            coefs = np.hstack([coefs, np.full((X.shape[1], len(alphas) - usable), np.nan)])
        return coefs

    def fit(self, X, y):
        coef = self.path(X, y, [self.alpha])[:, 0]
        if not np.isfinite(coef).all():
            raise ArithmeticError(f"Coxnet could not be fitted at alpha={self.alpha:g} (numerical overflow)")
        self.coef_ = coef
        return self

    def predict(self, X):
        check_is_fitted(self, "coef_")
        return self._validate_X(X, reset=False) @ self.coef_
