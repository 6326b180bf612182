"""Gradient-boosted Cox trees (scikit-survival), a non-linear comparison model on the benchmark's protocol."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted, validate_data
from sksurv.ensemble import GradientBoostingSurvivalAnalysis

from pancan.models.survival_svm import SurvivalModel, check_survival_target


class BoostedCox(SurvivalModel, BaseEstimator):
    """`GradientBoostingSurvivalAnalysis` with Cox's partial likelihood loss; predict() returns risk scores.

    Its path is the number of stages: one fit with the most stages gives the predictions
    after every earlier one (`staged_predict`), as a model fitted with fewer stages would
    (boosting adds stages one at a time). `feature_importances_` (impurity decrease)
    stands in for coefficients in the benchmark's tables.
    """

    def __init__(
        self,
        n_estimators: int = 100,
        learning_rate: float = 0.1,
        max_depth: int = 3,
        subsample: float = 1.0,
        random_state: int | None = None,
    ):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.subsample = subsample
        self.random_state = random_state

    def _boosting(self, n_estimators: int) -> GradientBoostingSurvivalAnalysis:
        return GradientBoostingSurvivalAnalysis(
            loss="coxph",
            n_estimators=int(n_estimators),
            learning_rate=self.learning_rate,
            max_depth=self.max_depth,
            subsample=self.subsample,
            random_state=self.random_state,
        )

    def _validate(self, X, y, reset: bool = True):
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=reset)
        return X, check_survival_target(X, y)

    def fit(self, X, y):
        X, y = self._validate(X, y)
        self.model_ = self._boosting(self.n_estimators).fit(X, y)
        self.feature_importances_ = self.model_.feature_importances_
        return self

    def predict(self, X):
        check_is_fitted(self, "model_")
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False)
        return np.asarray(self.model_.predict(X), dtype=np.float64)

    def path_predict(self, X, y, values, X_test, guesses=None) -> np.ndarray:
        """Risk of X_test after each number of stages in `values` (rows x values), from one fit (no guesses)."""
        X, y = self._validate(X, y)
        stages = [int(v) for v in values]
        model = self._boosting(max(stages)).fit(X, y)
        wanted = {stage: column for column, stage in enumerate(stages)}
        risk = np.empty((X_test.shape[0], len(stages)))
        for stage, predicted in enumerate(model.staged_predict(X_test), start=1):
            if stage in wanted:
                risk[:, wanted[stage]] = predicted
        return risk

    def fit_path(self, X, y, values):
        self.set_params(n_estimators=int(values[-1]))
        return self.fit(X, y)
