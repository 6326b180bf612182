"""Cox lasso / elastic net along scikit-survival's regularisation path, robust to its numerical errors."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sksurv.linear_model import CoxnetSurvivalAnalysis

logger = logging.getLogger(__name__)


class CoxnetPath:
    """Fit CoxnetSurvivalAnalysis once for a whole path of penalties; coefficients per penalty.

    At very small penalties Coxnet can fail with an ArithmeticError (numerical
    overflow); the path is then refitted with the smallest penalties dropped, and
    those penalties reuse the last coefficients that could be computed.
    """

    def __init__(self, l1_ratio: float = 1.0, n_penalties: int = 10, min_ratio: float = 0.01, max_iter: int = 100000):
        self.l1_ratio = l1_ratio
        self.n_penalties = n_penalties
        self.min_ratio = min_ratio
        self.max_iter = max_iter

    def _model(self, alphas=None) -> CoxnetSurvivalAnalysis:
        return CoxnetSurvivalAnalysis(
            l1_ratio=self.l1_ratio,
            n_alphas=self.n_penalties,
            alpha_min_ratio=self.min_ratio,
            alphas=alphas,
            max_iter=self.max_iter,
            fit_baseline_model=False,
        )

    def penalty_grid(self, X, y) -> np.ndarray:
        X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
        model = self._fit(self._model(), X, y)
        return np.asarray(model.alphas_)

    def path(self, X, y, penalties) -> np.ndarray:
        """Coefficients (features x penalties); penalties must be decreasing."""
        X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
        penalties = np.asarray(penalties, dtype=np.float64)
        usable = len(penalties)
        while usable > 0:
            try:
                model = self._fit(self._model(penalties[:usable]), X, y)
                break
            except ArithmeticError as error:
                logger.warning("Coxnet failed at small penalties (%s); dropping the smallest", error)
                usable -= 1
        if usable == 0:
            return np.zeros((X.shape[1], len(penalties)))
        coefs = np.asarray(model.coef_)
        if usable < len(penalties):
            coefs = np.hstack([coefs, np.repeat(coefs[:, -1:], len(penalties) - usable, axis=1)])
        return coefs

    @staticmethod
    def _fit(model: CoxnetSurvivalAnalysis, X: np.ndarray, y) -> CoxnetSurvivalAnalysis:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", UserWarning)
            return model.fit(X, y)
