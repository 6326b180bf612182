"""L1-penalised linear ranking survival SVM (the NetNorM paper's model): squared hinge on comparable pairs.

Objective, with s = X w and P the comparable pairs (i died before j):

    (1 / |P|) * sum_{(i,j) in P} max(0, 1 - (s_i - s_j))^2  +  alpha * ||w||_1

so that a higher score means an earlier death (a risk score). The paper's liblinear
form, ||w||_1 + C * sum_P max(0, 1 - (s_j - s_i))^2 (LinearSVC(penalty="l1",
loss="squared_hinge", dual=False, fit_intercept=False) on pair differences, higher =
longer survival), has the same minimiser with alpha = 1 / (C |P|) and the opposite sign:
set `C` to work in the paper's units. Solved exactly (duality gap) by
`ranking_svm_solver`.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_consistent_length
from sklearn.utils.validation import check_is_fitted, validate_data
from sksurv.util import check_y_survival

from pancan.errors import InsufficientDataError
from pancan.models.pairs import comparable_pairs, harrell_cindex
from pancan.models.path_model import LinearPathModel
from pancan.models.ranking_svm_solver import PairProblem, alpha_max, solve_path


def training_pairs(y, groups=None) -> tuple[np.ndarray, np.ndarray]:
    """Comparable pairs of a training set (within each group when `groups` is given); no pair is a clear error."""
    event, time = check_y_survival(y, allow_all_censored=True)
    if not event.any():
        raise InsufficientDataError("no death in the training data: cannot fit a survival model (no comparable pair)")
    groups = check_groups(groups, len(time))
    earlier, later = comparable_pairs(event, time, groups)
    if len(earlier) == 0:
        raise InsufficientDataError(
            f"no comparable pair among {len(time)} sample(s) (no death before another patient's time"
            f"{' of the same group' if groups is not None else ''}): cannot fit a survival model"
        )
    return earlier, later


def check_groups(groups, n: int) -> np.ndarray | None:
    """None, or one group label (e.g. cancer type) per sample."""
    if groups is None:
        return None
    groups = np.asarray(groups)
    if groups.ndim != 1 or len(groups) != n:
        raise ValueError(f"groups must hold one label per sample ({n}), got shape {groups.shape}")
    return groups


def check_survival_target(X, y) -> np.ndarray:
    """y must be a scikit-survival structured array (event, time) with one row per row of X."""
    if y is None:
        raise ValueError(
            "this survival model requires y to be passed, but the target y is None "
            "(a scikit-survival structured array of (event, time))"
        )
    if not isinstance(y, np.ndarray) or y.dtype.names is None or len(y.dtype.names) != 2:
        described = type(y).__name__ + (f" with dtype {y.dtype}" if hasattr(y, "dtype") else "")
        raise ValueError(
            "y must be a scikit-survival structured array of (event, time), e.g. "
            f"sksurv.util.Surv.from_arrays(event, time); got {described}"
        )
    check_consistent_length(X, y)
    check_y_survival(y, allow_all_censored=True)
    return y


class SurvivalModel:
    """Mixin of pancan's linear survival models: Harrell's C as score, sparse input, a survival target."""

    def score(self, X, y, groups=None):
        """Harrell's C of the predicted risks (stratified: pairs within a group only, with `groups`)."""
        y = check_survival_target(X, y)
        return harrell_cindex(y, self.predict(X), groups=check_groups(groups, len(y)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.required = True
        return tags


class SparseSurvivalSVM(LinearPathModel, SurvivalModel, BaseEstimator):
    """L1-penalised linear ranking survival SVM; predict() returns risk scores (higher = earlier death).

    Parameters
    ----------
    alpha : L1 penalty per unit of mean squared hinge over the comparable pairs.
    C : the paper's liblinear cost instead (alpha = 1 / (C x number of comparable training pairs)).
    tol : relative duality gap at which a solve stops.
    max_iter : working-set rounds per penalty (a ConvergenceWarning names the relative gap if reached).

    y is a scikit-survival structured array (event, time). score() is Harrell's C. After fit
    or path, `path_infos_` says how each penalty's solve ended (`ranking_svm_solver.SolveInfo`).

    fit, path, alpha_max and penalty_for take `groups` (one label per sample, e.g. the cancer
    type of a pooled cohort): the ranking loss then sums over the comparable pairs within
    a group only (the stratified loss), and C's pair count is that of those pairs.
    """

    accepts_groups = True  # comparable pairs can be restricted to groups (strata)

    def __init__(self, alpha: float = 0.01, C: float | None = None, tol: float = 1e-6, max_iter: int = 100):
        self.alpha = alpha
        self.C = C
        self.tol = tol
        self.max_iter = max_iter

    def _check_params(self) -> None:
        checks = [("alpha", self.alpha, 0.0, True), ("tol", self.tol, 0.0, False)]
        if self.C is not None:
            checks.append(("C", self.C, 0.0, False))
        for name, value, low, inclusive in checks:
            if (
                not isinstance(value, numbers.Real)
                or isinstance(value, bool)
                or not np.isfinite(value)
                or (value < low if inclusive else value <= low)
            ):
                raise ValueError(
                    f"SparseSurvivalSVM: {name} must be a {'non-negative' if inclusive else 'positive'} "
                    f"number, got {value!r}"
                )
        if not isinstance(self.max_iter, numbers.Integral) or isinstance(self.max_iter, bool) or self.max_iter < 1:
            raise ValueError(f"SparseSurvivalSVM: max_iter must be a positive integer, got {self.max_iter!r}")

    def _validate(self, X, y):
        self._check_params()
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=True)
        return X, check_survival_target(X, y)

    def penalty_for(self, y, C: float | None = None, groups=None) -> float:
        """The alpha this estimator (or liblinear cost C) means for training target y."""
        C = self.C if C is None else C
        if C is None:
            return float(self.alpha)
        return 1.0 / (float(C) * len(self._pairs(y, groups)[0]))

    def _pairs(self, y, groups=None) -> tuple[np.ndarray, np.ndarray]:
        """`training_pairs`, kept for the last target until a fit uses them: a path in the paper's costs C asks
        for the pair count (to turn C into alpha) and then for the pairs, of the same training rows."""
        y = np.asarray(y)
        strata = None if groups is None else np.unique(np.asarray(groups), return_inverse=True)[1].ravel()
        key = (y.dtype.descr, y.tobytes(), None if strata is None else strata.tobytes())
        memo = getattr(self, "_pairs_memo", None)
        if memo is None or memo[0] != key:
            memo = self._pairs_memo = (key, training_pairs(y, groups))
        return memo[1]

    def _fitted_pairs(self, y, groups=None) -> tuple[np.ndarray, np.ndarray]:
        """The pairs of a fit, after which the estimator keeps neither them nor its training target's bytes."""
        pairs = self._pairs(y, groups)
        self.__dict__.pop("_pairs_memo", None)
        return pairs

    def alpha_max(self, X, y, groups=None) -> float:
        """Smallest alpha with every coefficient zero, on training data (X, y)."""
        X, y = self._validate(X, y)
        return alpha_max(PairProblem(X, *self._pairs(y, groups)))

    def path(self, X, y, alphas, guesses=None, groups=None) -> np.ndarray:
        """Coefficients (features x penalties) along `alphas` in the given order, each solve warm-started
        (from `guesses`, features x penalties, where they are better starts: see `solve_path`).

        `path_infos_` then holds how each penalty's solve ended (`SolveInfo`: converged, gap,
        relative_gap, objective, rounds), for callers that report convergence.
        """
        X, y = self._validate(X, y)
        problem = PairProblem(X, *self._fitted_pairs(y, groups))
        coefs, infos = solve_path(problem, alphas, tol=self.tol, max_iter=self.max_iter, guesses=guesses)
        self.path_infos_ = infos
        return coefs

    def fit(self, X, y, groups=None):
        """Fit at `alpha` (or C); with `groups`, comparable pairs only within a group (the stratified loss)."""
        X, y = self._validate(X, y)
        alpha = self.penalty_for(y, groups=groups)
        pairs = self._fitted_pairs(y, groups)
        coefs, infos = solve_path(PairProblem(X, *pairs), [alpha], tol=self.tol, max_iter=self.max_iter)
        self.coef_ = coefs[:, 0]
        self.alpha_ = alpha
        self.path_infos_ = infos
        self.converged_ = infos[0].converged
        self.duality_gap_ = infos[0].gap
        self.n_iter_ = infos[0].rounds
        return self

    def predict(self, X):
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False)
        return np.asarray(X @ self.coef_, dtype=np.float64).ravel()
