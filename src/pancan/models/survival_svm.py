"""L1-penalised linear ranking survival SVM (squared hinge on comparable pairs, no intercept).

Objective, with s = X w and P the comparable pairs (i died before j):

    (1 / |P|) * sum_{(i,j) in P} max(0, 1 - (s_i - s_j))^2  +  alpha * ||w||_1

so that a higher score means an earlier death (a risk score). The pair
differences are never materialised: the loss only needs s, and its gradient in w
is X^T g with g accumulated per patient from the pairs, so a fit costs a few
sparse/dense matrix-vector products per iteration (FISTA with restarts), whatever
the number of pairs. A whole regularisation path is fitted with warm starts.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_array, check_is_fitted
from sksurv.util import check_y_survival

from pancan.errors import PancanError
from pancan.models.pairs import comparable_pairs, harrell_cindex


class _PairLoss:
    """Mean squared hinge over comparable pairs, as a function of the scores s = X w."""

    def __init__(self, X, earlier: np.ndarray, later: np.ndarray):
        self.X = X
        self.earlier, self.later = earlier, later
        self.n_pairs = len(earlier)
        self.n = X.shape[0]

    def value_and_score_gradient(self, scores: np.ndarray) -> tuple[float, np.ndarray]:
        slack = np.maximum(0.0, 1.0 - (scores[self.earlier] - scores[self.later]))
        pair_gradient = -2.0 * slack / self.n_pairs  # d loss / d (s_i - s_j)
        gradient = np.bincount(self.earlier, pair_gradient, self.n) - np.bincount(self.later, pair_gradient, self.n)
        return float(slack @ slack) / self.n_pairs, gradient

    def gradient(self, w: np.ndarray) -> tuple[float, np.ndarray]:
        value, score_gradient = self.value_and_score_gradient(self.X @ w)
        return value, np.asarray(self.X.T @ score_gradient).ravel()

    def lipschitz(self, n_iter: int = 30, seed: int = 0) -> float:
        """Upper estimate of the gradient's Lipschitz constant, 2/|P| ||D X||^2, by power iteration."""
        v = np.random.default_rng(seed).standard_normal(self.X.shape[1])
        norm = 0.0
        for _ in range(n_iter):
            v /= np.linalg.norm(v) or 1.0
            s = self.X @ v
            d = s[self.earlier] - s[self.later]
            back = np.bincount(self.earlier, d, self.n) - np.bincount(self.later, d, self.n)
            v = np.asarray(self.X.T @ back).ravel()
            norm = np.linalg.norm(v)
        return 2.0 * norm / self.n_pairs * 1.05 + 1e-12


def _soft_threshold(v: np.ndarray, threshold: float) -> np.ndarray:
    return np.sign(v) * np.maximum(np.abs(v) - threshold, 0.0)


def _fista(loss: _PairLoss, w0: np.ndarray, alpha: float, step: float, tol: float, max_iter: int) -> tuple[np.ndarray, int]:
    w, z, momentum = w0.copy(), w0.copy(), 1.0
    for iteration in range(1, max_iter + 1):
        _, gradient = loss.gradient(z)
        w_next = _soft_threshold(z - step * gradient, step * alpha)
        change = np.linalg.norm(w_next - w)
        momentum_next = (1.0 + np.sqrt(1.0 + 4.0 * momentum * momentum)) / 2.0
        # adaptive restart (O'Donoghue & Candes): drop momentum when it points uphill
        if (z - w_next) @ (w_next - w) > 0:
            momentum_next, z = 1.0, w_next.copy()
        else:
            z = w_next + ((momentum - 1.0) / momentum_next) * (w_next - w)
        w, momentum = w_next, momentum_next
        if change <= tol * max(1.0, np.linalg.norm(w)):
            return w, iteration
    return w, max_iter


def training_pairs(y) -> tuple[np.ndarray, np.ndarray]:
    """Comparable pairs of a training set; no pair (e.g. no death) is a clear error."""
    event_field = y.dtype.names[0]
    if not np.asarray(y[event_field]).any():
        raise PancanError("no death in the training data: cannot fit a survival model (no comparable pair)")
    event, time = check_y_survival(y)
    earlier, later = comparable_pairs(event, time)
    if len(earlier) == 0:
        raise PancanError("no comparable pair (no death before another patient's time): cannot fit a survival model")
    return earlier, later


def penalty_grid(X, y, n_penalties: int = 10, min_ratio: float = 0.01) -> np.ndarray:
    """Decreasing L1 penalties from alpha_max (all coefficients zero) down to min_ratio * alpha_max."""
    earlier, later = training_pairs(y)
    loss = _PairLoss(X, earlier, later)
    _, gradient = loss.gradient(np.zeros(X.shape[1]))
    alpha_max = float(np.abs(gradient).max())
    return alpha_max * np.logspace(0, np.log10(min_ratio), n_penalties)


def svm_path(X, y, penalties, *, tol: float = 1e-4, max_iter: int = 2000) -> np.ndarray:
    """Coefficients (features x penalties) along decreasing penalties, warm-started."""
    X = X.tocsr() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    earlier, later = training_pairs(y)
    loss = _PairLoss(X, earlier, later)
    step = 1.0 / loss.lipschitz()
    coefs = np.zeros((X.shape[1], len(penalties)))
    w = np.zeros(X.shape[1])
    for index, alpha in enumerate(penalties):
        w, _ = _fista(loss, w, float(alpha), step, tol, max_iter)
        coefs[:, index] = w
    return coefs


class SparseSurvivalSVM(BaseEstimator):
    """L1-penalised linear ranking survival SVM; predict() returns risk scores.

    y is a scikit-survival structured array (event, time). score() is Harrell's C.
    """

    def __init__(self, alpha: float = 0.01, tol: float = 1e-4, max_iter: int = 2000):
        self.alpha = alpha
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, X, y):
        X = check_array(X, accept_sparse="csr", dtype=np.float64)
        self.coef_ = svm_path(X, y, [self.alpha], tol=self.tol, max_iter=self.max_iter)[:, 0]
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        check_is_fitted(self, "coef_")
        X = check_array(X, accept_sparse="csr", dtype=np.float64)
        return np.asarray(X @ self.coef_).ravel()

    def score(self, X, y):
        return harrell_cindex(y, self.predict(X))
