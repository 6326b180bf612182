"""L1-penalised squared-hinge ranking loss over comparable pairs, solved by working-set proximal Newton.

Problem. With s = X w the risk scores and the m comparable pairs (i, j), i the earlier death,

    P(w) = L(w) + alpha ||w||_1,    L(w) = (1/m) sum_{(i,j)} xi_ij^2,    xi_ij = max(0, 1 - s_i + s_j).

The pair differences are never materialised: pairs act through their incidence B
(B s = s_i - s_j), so xi = max(0, 1 - B X w) and the gradient is g = X' B' (-(2/m) xi); B, B'
and the products with sparse columns are compiled passes (`pair_kernels`).

Optimality (KKT). w is optimal iff g_j = -alpha sign(w_j) where w_j != 0 and |g_j| <= alpha
where w_j = 0; the smallest subgradient, zero exactly at the optimum, measures how far a
point is from it.

Stopping rule. theta = (2/m) xi * min(1, alpha / ||g||_inf) is feasible for the dual
(maximise sum(theta) - (m/4) ||theta||^2 subject to theta >= 0, ||X' B' theta||_inf <=
alpha), so gap = P(w) - dual(theta) bounds P(w) - P(w*). A solve stops when gap <= tol * P(w),
or, not converged (`SolveInfo`, and a ConvergenceWarning stating the relative gap), after
max_iter rounds or a round that no longer lowers P(w) at working precision. With s =
min(1, alpha / ||g||_inf), gap = (1 - s)^2 L + s sum_j w_j (g_j + alpha sign w_j) + (1 - s)
alpha ||w||_1, at most tol * P(w) once every smallest subgradient is <= tol alpha / 2: the
last round's target below is enough to stop.

Algorithm. Outer rounds: the full gradient gives the gap; if it is too large, the working
set W is the support plus the features that violate the KKT conditions most (at most
max(|support|, 50) of them), and W is solved as precisely as the largest violation left
outside it makes worthwhile (0.3 of it; the last round to tol alpha / 2). On W, proximal
Newton: the loss is piecewise quadratic with (generalised) Hessian H = (2/m) X_W' L_A X_W, L_A
the Laplacian of the active pairs A (xi > 0). Each step minimises the quadratic model plus the
L1 term with H + mu I by coordinate descent (`lasso_qp`, to 1e-3 of the current smallest
subgradient) and takes the longest Armijo step of 1, 1/2, 1/4, ... The model's minimiser
from w is a descent direction whatever H (its decrease is at most -(1/2) d'(H + mu I) d <
0), so every step makes progress, also when W has more columns than patients and H is
singular. mu, relative to H's mean diagonal, starts at 1e-8, grows tenfold after a shortened
step and shrinks tenfold after a full one. Once the active pairs settle, the model is exact.
H is kept between steps, rounds and penalties, and updated from the pairs whose activity
changed and the columns that entered (a rebuild only when that is cheaper).

Identical non-zero columns make the solution non-unique: only the first column of each group
of identical columns may enter (the others stay 0), which is deterministic and optimal.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numba
import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import ThreadpoolController

from pancan.models.lasso_qp import lasso_qp
from pancan.models.pair_kernels import (
    column_dots,
    columns_product,
    dense_columns,
    laplacian_product,
    pair_scatter,
    pair_slack,
    update_laplacian,
)

_ENTER_AT_LEAST = 50  # features that may enter the working set per round (more when the support is larger)
_INNER_FRACTION = 0.3  # of the largest violation left outside the working set: its solve's tolerance
_ARMIJO = 1e-4  # sufficient decrease: a step must achieve this fraction of the model's predicted decrease
_RIDGE = 1e-8  # the model's smallest ridge mu, relative to H's mean diagonal
_FORCING = 0.001  # each model is solved until its coordinates move by less than this fraction of the residual
_HEAD_ROWS = 16  # rows a dense column's first hash covers (first_of_identical_columns)
# The solver's matrices are small (patients x working set): threaded BLAS only adds synchronisation.
_BLAS = ThreadpoolController()


@dataclass
class SolveInfo:
    """How one penalty's solve ended: the relative duality gap is gap / objective."""

    alpha: float
    gap: float
    objective: float
    rounds: int
    converged: bool

    @property
    def relative_gap(self) -> float:
        return self.gap / self.objective  # P(w) > 0: at w = 0 the loss is 1


@dataclass
class _Product:
    """(2/m) X_F' L_A X_F for the columns F and active pairs A it was formed for (reused by the next Hessian)."""

    features: np.ndarray
    active: np.ndarray
    product: np.ndarray


class PairProblem:
    """The data of one fit: features (and their columns), comparable pairs, the first of identical columns."""

    def __init__(self, X, earlier: np.ndarray, later: np.ndarray):
        self.X = X.tocsr() if sp.issparse(X) else np.asarray(X)
        self.columns_of = self.X.tocsc() if sp.issparse(self.X) else self.X  # working-set columns are sliced often
        if sp.issparse(self.X):
            self.columns_of.sort_indices()  # each column's entries in row order, as scipy's products add them
        # pairs ordered by their earlier patient: sums over pairs add in one order whatever the caller's
        order = np.argsort(np.asarray(earlier), kind="stable")
        self.earlier = np.asarray(earlier, dtype=np.int64)[order]
        self.later = np.asarray(later, dtype=np.int64)[order]
        self.n, self.m = self.X.shape[0], len(self.earlier)
        self.candidates = first_of_identical_columns(self.columns_of)
        self._cache: _Product | None = None
        self._last_laplacian: tuple[np.ndarray, np.ndarray] | None = None

    def scores(self, w: np.ndarray) -> np.ndarray:
        """X w, from the support's columns only (w is sparse; for float32 X this also avoids casting all of X)."""
        support = np.flatnonzero(w)
        if not sp.issparse(self.X):
            return np.asarray(self.X[:, support] @ w[support], dtype=np.float64).ravel()
        X = self.columns_of
        return columns_product(X.indptr, X.indices, X.data, support, w[support], self.n)

    def slack(self, scores: np.ndarray) -> np.ndarray:
        """max(0, 1 - B scores): each pair's hinge slack."""
        return pair_slack(scores, self.earlier, self.later)

    def score_gradient(self, slack: np.ndarray) -> np.ndarray:
        """d loss / d scores = B' (-(2/m) slack)."""
        return pair_scatter(slack, -2.0 / self.m, self.earlier, self.later, self.n)

    def full_gradient(self, scores: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """(loss, gradient in w over every feature, slack)."""
        slack = self.slack(scores)
        score_gradient = self.score_gradient(slack)
        if sp.issparse(self.X):
            X = self.columns_of
            gradient = column_dots(X.indptr, X.indices, X.data, score_gradient)
        else:  # in X's precision: float32 X would otherwise be cast whole
            gradient = self.X.T @ score_gradient.astype(self.X.dtype, copy=False)
        return float(slack @ slack) / self.m, gradient.astype(np.float64, copy=False), slack

    def columns(self, features: np.ndarray) -> np.ndarray:
        """The working-set columns, dense float64 (BLAS products beat sparse ones at these sizes)."""
        if not sp.issparse(self.X):
            return self.columns_of[:, features].astype(np.float64)
        X = self.columns_of
        return dense_columns(X.indptr, X.indices, X.data, features, self.n)

    def hessian(self, features: np.ndarray, XW: np.ndarray, active: np.ndarray) -> np.ndarray:
        """(2/m) X_W' L_A X_W, from the last one formed: only the changed pairs and the new columns are added.

        The array returned is the problem's own, updated in place by the next call: read it, do not keep it.
        """
        cache, product, scale = self._cache, None, 2.0 / self.m
        if cache is not None:
            old = np.searchsorted(cache.features, features).clip(max=len(cache.features) - 1)
            kept = cache.features[old] == features
            changed = np.flatnonzero(active != cache.active)
            # the update costs (changed pairs) q^2, a rebuild at most n^2 q + n q^2 (2 |A| q + n q^2 when few are active)
            if kept.any() and len(changed) * len(features) < self.n * (self.n + len(features)):
                keep, new = np.flatnonzero(kept), np.flatnonzero(~kept)
                columns = XW if len(keep) == len(features) else XW[:, keep]
                differences = columns[self.earlier[changed]] - columns[self.later[changed]]
                weight = np.where(active[changed], scale, -scale)
                update = differences.T @ (weight[:, None] * differences)
                if len(new) == 0 and len(features) == len(cache.features):  # the same columns: the usual Newton step
                    product = cache.product
                    product += update
                else:
                    product = np.empty((len(features), len(features)))
                    product[np.ix_(keep, keep)] = cache.product[np.ix_(old[keep], old[keep])] + update
                if len(new):
                    cross = self._pair_product(XW, XW[:, new], active)
                    cross *= scale
                    product[:, new] = cross
                    product[new, :] = cross.T
        if product is None:
            product = self._pair_product(XW, XW, active)
            product *= scale
        self._cache = _Product(features, active, product)
        return product

    def _pair_product(self, XW: np.ndarray, right: np.ndarray, active: np.ndarray) -> np.ndarray:
        """X_W' L_A right, L_A = D_A - C - C' the Laplacian of the active pairs (C_ij = 1 for pair (i, j))."""
        if 8 * np.count_nonzero(active) < self.n * self.n:  # few active pairs: a pass over them
            laplacian_right = laplacian_product(np.ascontiguousarray(right), self.earlier, self.later, active)
        else:  # a dense L_A and BLAS: several times faster per pair than a pass over the pairs
            laplacian_right = self._laplacian(active) @ right
        return XW.T @ laplacian_right

    def _laplacian(self, active: np.ndarray) -> np.ndarray:
        """Dense L_A, updated in place from the last one by the pairs whose activity changed."""
        if self._last_laplacian is None:
            laplacian, previous = np.zeros((self.n, self.n)), np.zeros_like(active)
        else:
            previous, laplacian = self._last_laplacian
        update_laplacian(laplacian, self.earlier, self.later, active, previous)
        self._last_laplacian = (active, laplacian)
        return laplacian


def first_of_identical_columns(X) -> np.ndarray:
    """Mask of the non-zero columns that are the first of their group of identical columns.

    Columns are compared by a 64-bit hash: the sum over rows of a random weight times a mix of
    the entry's bits, in integers modulo 2^64, so identical columns always collide (integer sums
    do not depend on their order) and different ones practically never do. Dense columns are
    hashed on their first rows, and only those that share that key with another column on all
    their rows: columns that differ in their first rows are different.
    """
    weights = np.random.default_rng(0).integers(1, 2**62, X.shape[0], dtype=np.int64).astype(np.uint64)
    if sp.issparse(X):
        columns = X if X.format == "csc" else X.tocsc()
        # as a dense column's: zero entries add nothing
        keys = _sparse_column_keys(columns.indptr, columns.indices, columns.data.astype(np.float64), weights)
        nonzero = np.flatnonzero(np.diff(columns.indptr) > 0)
    else:
        columns = np.asarray(X)
        columns = columns if columns.dtype.isnative else columns.astype(np.float64)
        head = min(len(columns), _HEAD_ROWS)
        # contiguous rows: the compiled loop walks each row's columns, a strided walk on a column-major X
        keys = _dense_column_keys(np.ascontiguousarray(columns[:head]), weights[:head])
        _, group, size = np.unique(keys, return_inverse=True, return_counts=True)
        shared = np.flatnonzero(size[group.ravel()] > 1)
        if head < len(columns) and len(shared):
            keys[shared] = _dense_column_keys(np.ascontiguousarray(columns[:, shared]), weights)
        nonzero = np.flatnonzero(np.any(columns, axis=0))
    _, first = np.unique(keys[nonzero], return_index=True)
    mask = np.zeros(X.shape[1], dtype=bool)
    mask[nonzero[first]] = True
    return mask


@numba.njit(cache=True, nogil=True)
def _mix(bits):  # pragma: no cover (compiled)
    """splitmix64's finaliser: each value's bits spread over all 64 (0 stays 0)."""
    z = bits ^ (bits >> np.uint64(30))
    z = z * np.uint64(0xBF58476D1CE4E5B9)
    z = z ^ (z >> np.uint64(27))
    z = z * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@numba.njit(cache=True, nogil=True)
def _sparse_column_keys(indptr, indices, data, weights):  # pragma: no cover (compiled)
    """Per CSC column: sum over its stored entries of weights[row] * mix(bits of the float64 entry), modulo 2^64."""
    keys = np.zeros(len(indptr) - 1, dtype=np.uint64)
    bits = np.empty(1, dtype=np.float64)
    for j in range(len(indptr) - 1):
        for entry in range(indptr[j], indptr[j + 1]):
            bits[0] = data[entry] + 0.0  # -0.0 becomes 0.0, as it compares
            keys[j] += weights[indices[entry]] * _mix(bits.view(np.uint64)[0])
    return keys


@numba.njit(cache=True, nogil=True)
def _dense_column_keys(X, weights):  # pragma: no cover (compiled)
    """Per column: sum over rows of weights[row] * mix(bits of the float64 entry), modulo 2^64."""
    keys = np.zeros(X.shape[1], dtype=np.uint64)
    bits = np.empty(1, dtype=np.float64)
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            bits[0] = np.float64(X[i, j]) + 0.0  # -0.0 becomes 0.0, as it compares
            keys[j] += weights[i] * _mix(bits.view(np.uint64)[0])
    return keys


def alpha_max(problem: PairProblem) -> float:
    """The smallest penalty at which every coefficient is zero."""
    _, gradient, _ = problem.full_gradient(np.zeros(problem.n))
    return float(np.abs(gradient).max(initial=0.0))


def duality_gap(problem: PairProblem, w: np.ndarray, alpha: float) -> tuple[float, float, np.ndarray]:
    """(primal objective, duality gap, full gradient) at w (dual point in the module docstring)."""
    loss, gradient, slack = problem.full_gradient(problem.scores(w))
    primal = loss + alpha * float(np.abs(w).sum())
    largest = float(np.abs(gradient).max(initial=0.0))
    scale = 1.0 if largest <= alpha else alpha / largest
    theta = (2.0 / problem.m * scale) * slack
    dual = float(theta.sum()) - problem.m / 4.0 * float(theta @ theta)
    return primal, max(primal - dual, 0.0), gradient


def smallest_subgradient(gradient: np.ndarray, w: np.ndarray, alpha: float) -> np.ndarray:
    """The minimum-norm element of the subdifferential of L + alpha ||.||_1: zero exactly at an optimum."""
    shrunk = np.sign(gradient) * np.maximum(np.abs(gradient) - alpha, 0.0)
    return np.where(w != 0, gradient + alpha * np.sign(w), shrunk)


def _newton_on_working_set(
    problem: PairProblem, features: np.ndarray, w: np.ndarray, alpha: float, tol: float, max_steps: int
) -> np.ndarray:
    """Proximal Newton on the working-set columns until the smallest subgradient is <= tol (module docstring)."""
    XW = problem.columns(features)
    scores = XW @ w
    slack = problem.slack(scores)
    ridge = _RIDGE  # mu, relative to H's mean diagonal
    for _ in range(max_steps):
        gradient = XW.T @ problem.score_gradient(slack)
        residual = np.abs(smallest_subgradient(gradient, w, alpha)).max(initial=0.0)
        if residual <= tol:
            break
        H = problem.hessian(features, XW, slack > 0)
        mu = ridge * (float(np.trace(H)) / len(w) + np.finfo(float).tiny)
        # the model g'(v - w) + (1/2)(v - w)'(H + mu I)(v - w) + alpha ||v||_1, minimised over v
        direction = lasso_qp(H, gradient - H @ w - mu * w, alpha, w, ridge=mu, tol=_FORCING * residual) - w
        # the model's decrease bounds this from above by -(1/2) d'(H + mu I)d < 0: a descent direction
        decrease = gradient @ direction + alpha * (np.abs(w + direction).sum() - np.abs(w).sum())
        if not decrease < 0:
            return w  # the model's minimum is w itself: optimal to working precision
        direction_scores = XW @ direction
        value = float(slack @ slack) / problem.m + alpha * float(np.abs(w).sum())
        step = 1.0
        while True:  # Armijo: the longest of 1, 1/2, 1/4, ... with a sufficient decrease
            trial = w + step * direction
            trial_slack = problem.slack(scores + step * direction_scores)
            if float(trial_slack @ trial_slack) / problem.m + alpha * float(np.abs(trial).sum()) <= (
                value + _ARMIJO * step * decrease
            ):
                break
            step /= 2
            if step < np.finfo(float).eps:
                return w  # no descent left at working precision
        w, scores, slack = trial, scores + step * direction_scores, trial_slack
        # a full step: the model was right, trust it more; a shortened one: regularise more
        ridge = max(ridge / 10, _RIDGE) if step == 1.0 else ridge * 10
    return w


def solve(
    problem: PairProblem, alpha: float, start: np.ndarray, *, tol: float = 1e-6, max_iter: int = 100
) -> tuple[np.ndarray, SolveInfo]:
    """Minimise P(w) at one penalty from `start`; stops when the duality gap is <= tol * P(w)."""
    w = np.array(start, dtype=np.float64)
    previous = np.inf
    for rounds in range(1, max_iter + 1):
        primal, gap, gradient = duality_gap(problem, w, alpha)
        if gap <= tol * primal:
            return w, SolveInfo(alpha, gap, primal, rounds, True)
        if primal >= previous:
            break  # a whole round without decrease: no progress left at working precision
        previous = primal
        # the working set: the support, then the largest KKT violations, at most max(support, 50) of them
        violation = np.abs(gradient) - alpha
        support = w != 0
        violation[support] = np.inf
        violation[~problem.candidates & ~support] = -np.inf
        size = min(int(support.sum()) + max(int(support.sum()), _ENTER_AT_LEAST), len(w))
        working = np.argpartition(-violation, size - 1)[:size]
        working = np.sort(working[violation[working] > 0])
        # solved only as precisely as the violations left outside the working set make worthwhile
        violation[working] = 0.0
        inner_tol = max(0.5 * tol * alpha, _INNER_FRACTION * float(violation.max(initial=0.0)))
        weights = _newton_on_working_set(problem, working, w[working], alpha, inner_tol, max_iter)
        w = np.zeros_like(w)
        w[working] = weights
    else:
        primal, gap, _ = duality_gap(problem, w, alpha)
        rounds += 1
    converged = gap <= tol * primal
    if not converged:
        stopped = f"after max_iter={max_iter} working-set rounds" if rounds > max_iter else "with no progress left"
        warnings.warn(
            f"survival SVM: relative duality gap {gap / primal:.2e} (gap {gap:.2e} / objective {primal:.4g}) "
            f"above tol={tol:g} {stopped} (alpha={alpha:.4g})",
            ConvergenceWarning,
            stacklevel=3,
        )
    return w, SolveInfo(alpha, gap, primal, min(rounds, max_iter), converged)


def primal_objective(problem: PairProblem, w: np.ndarray, alpha: float) -> float:
    """P(w) = L(w) + alpha ||w||_1."""
    slack = problem.slack(problem.scores(w))
    return float(slack @ slack) / problem.m + alpha * float(np.abs(w).sum())


def solve_path(
    problem: PairProblem,
    alphas,
    *,
    tol: float = 1e-6,
    max_iter: int = 100,
    start: np.ndarray | None = None,
    guesses: np.ndarray | None = None,
) -> tuple[np.ndarray, list[SolveInfo]]:
    """Coefficients (features x penalties) along the penalties in the given order, each warm-started.

    Each solve starts from the previous penalty's solution or, when `guesses` (features x
    penalties, e.g. a neighbouring grid value's path) is given, from that penalty's guess
    if its objective is lower: only the start changes, not the optimum it converges to.
    """
    w = np.zeros(problem.X.shape[1]) if start is None else np.array(start, dtype=np.float64)
    coefs = np.zeros((problem.X.shape[1], len(alphas)))
    infos = []
    with _BLAS.limit(limits=1, user_api="blas"):
        for index, alpha in enumerate(alphas):
            if guesses is not None:
                guess = np.asarray(guesses[:, index], dtype=np.float64).ravel()
                if primal_objective(problem, guess, alpha) < primal_objective(problem, w, alpha):
                    w = guess
            w, info = solve(problem, float(alpha), w, tol=tol, max_iter=max_iter)
            coefs[:, index] = w
            infos.append(info)
    return coefs, infos
