"""Exact solver of the L1-penalised squared-hinge ranking loss over comparable pairs.

    P(w) = (1/m) sum_{(i,j) in pairs} max(0, 1 - (x_i - x_j) w)^2  +  alpha ||w||_1

with i the earlier death of each of the m comparable pairs. The pair differences are never
materialised: the loss needs only the scores s = X w (pairs act through the sparse
incidence B, B s = s_i - s_j).

Working-set proximal Newton, stopped on the duality gap:

* outer loop: full gradient and a dual point give the duality gap; the solve ends when
  gap <= tol * P(w). Features whose gradient violates the optimality conditions enter the
  working set W (with the current support);
* on W (dense columns; sparse ones too for the Hessian of integer profiles): the loss is
  piecewise quadratic, with Hessian (2/m) X_W' L_A X_W on the active pairs A (L_A the
  Laplacian of the pairs with positive slack). Each proximal Newton step solves its quadratic model exactly (feature-sign
  search, `lasso_qp`) and takes an Armijo step. Once the active pairs settle, the step is
  exact, so a few steps suffice.

Identical non-zero columns make the solution non-unique; only the first column of each
group of identical columns can enter (the others stay 0), which is deterministic and
optimal. Measured against FISTA (the previous solver) and liblinear in docs/benchmarks.md.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import ThreadpoolController

from pancan.models.lasso_qp import lasso_qp
from pancan.models.pairs import pair_incidence

logger = logging.getLogger(__name__)
_ENTER_AT_LEAST = 50  # features added to the working set per round, beyond the current support
_MAX_NEWTON_STEPS = 50
# Working-set columns at most this dense (NetNorM's: 6.5% in the median) form the Hessian by
# sparse products, about twice as fast as the dense ones at these sizes (measured, LUAD).
_SPARSE_HESSIAN_DENSITY = 0.25
_KEY_ROWS = 32  # rows per block when hashing dense columns
_CAST_COPY_MAX_ENTRIES = 4_000_000  # 32 MB of float64
# Larger dense X (NSQN with every feature): X w from the support's columns alone while the
# support is at most this fraction of the features (the other columns only add zeros).
_SUPPORT_SCORES_FRACTION = 0.25
# The solver's matrices are small (patients x working set): threaded BLAS only adds
# synchronisation, which costs ten times the work on a loaded machine (measured).
_BLAS = ThreadpoolController()


@dataclass
class SolveInfo:
    """How one penalty's solve ended."""

    alpha: float
    gap: float
    objective: float
    rounds: int
    converged: bool


class PairProblem:
    """The data of one fit: features, comparable pairs and their incidence, identical-column groups."""

    def __init__(self, X, earlier: np.ndarray, later: np.ndarray):
        self.X = X.tocsr() if sp.issparse(X) else np.asarray(X)
        self.columns_of = self.X.tocsc() if sp.issparse(self.X) else self.X  # working-set columns are sliced often
        # pairs ordered by their earlier patient: the active pairs then form a CSR matrix without sorting
        order = np.argsort(np.asarray(earlier), kind="stable")
        self.earlier = np.asarray(earlier, dtype=np.int64)[order]
        self.later = np.asarray(later, dtype=np.int64)[order]
        self.n, self.m = self.X.shape[0], len(self.earlier)
        self.B = pair_incidence(self.earlier, self.later, self.n)
        self.BT = self.B.T.tocsr()
        self.candidates = first_of_identical_columns(self.X)
        # sparse Hessian products and their updates only for integer profiles, where every order
        # of summation is exact (while the sums stay below 2^53: a Hessian entry is at most 4 m max|x|^2)
        self._integer_sparse = (
            sp.issparse(self.X)
            and bool(np.array_equal(self.X.data, np.rint(self.X.data)))
            and 4.0 * max(self.m, 1) * float(np.abs(self.X.data).max(initial=0.0)) ** 2 < 2.0**52
        )
        # X w with float32 X makes numpy cast X to float64 on every call; a cast copy, kept when
        # small (NSQN after the variance filter), gives the same products five times faster
        small_float32 = not sp.issparse(self.X) and self.X.dtype == np.float32 and self.X.size <= _CAST_COPY_MAX_ENTRIES
        self._X_for_scores = self.X.astype(np.float64) if small_float32 else self.X
        # larger dense float32 X: cast only the support's columns (see `scores`)
        self._cast_support_only = not sp.issparse(self.X) and self.X.dtype != np.float64 and not small_float32

    def scores(self, w: np.ndarray) -> np.ndarray:
        """X w.

        For a large float32 X, while w is sparse, only the support's columns are cast (numpy
        would copy all of X to float64 on every call: 65 ms on BRCA's training rows). The
        sum then runs in another order, so scores can differ in the last bit; they only
        decide when to stop and which features enter, and the predictions of the paper
        protocol's 140 NSQN jobs were identical to the last bit (docs/benchmarks.md).
        """
        if self._cast_support_only:
            support = np.flatnonzero(w)
            if len(support) <= _SUPPORT_SCORES_FRACTION * len(w):
                return self.X[:, support].astype(np.float64) @ w[support]
        return self._X_for_scores @ w

    def slack(self, scores: np.ndarray) -> np.ndarray:
        return np.maximum(0.0, 1.0 - self.B @ scores)

    def score_gradient(self, slack: np.ndarray) -> np.ndarray:
        """d loss / d scores."""
        return self.BT @ (-2.0 / self.m * slack)

    def full_gradient(self, scores: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """(loss, gradient in w over every feature, slack)."""
        slack = self.slack(scores)
        score_gradient = self.score_gradient(slack)
        if sp.issparse(self.X):
            gradient = np.asarray(self.X.T @ score_gradient).ravel()
        else:
            gradient = self.X.T @ score_gradient.astype(self.X.dtype, copy=False)
        return float(slack @ slack) / self.m, gradient.astype(np.float64, copy=False), slack

    def columns(self, features: np.ndarray) -> tuple[np.ndarray, sp.csr_matrix | None]:
        """The working-set columns, dense; and as CSR too when they hold integers, sparse enough to gain from it."""
        block = self.columns_of[:, features]
        if not sp.issparse(block):
            return np.asarray(block, dtype=np.float64), None
        sparse_enough = block.nnz <= _SPARSE_HESSIAN_DENSITY * np.prod(block.shape)
        sparse = block.tocsr().astype(np.float64) if self._integer_sparse and sparse_enough else None
        return block.toarray().astype(np.float64, copy=False), sparse

    def hessian(
        self,
        XW: np.ndarray,
        slack: np.ndarray,
        XW_sparse: sp.csr_matrix | None = None,
        previous: PairProduct | None = None,
    ) -> tuple[np.ndarray, PairProduct | None]:
        """(2/m) X_W' L_A X_W with L_A the Laplacian of the pairs with positive slack (plus a tiny ridge).

        XW_sparse (the same columns, CSR; given only for integer profiles) turns the dense
        products into sparse ones: with integers both orders of summation give exactly the same H.
        For integer profiles the unscaled product is also returned, and `previous` (the last
        Newton step's, same columns) is updated from the pairs whose activity changed: also exact.
        """
        active = slack > 0
        product = None
        if previous is not None and self._integer_sparse:
            changed = np.flatnonzero(active != previous.active)
            if 2 * len(changed) < self.n:  # cheaper than the n x q x q product of a rebuild
                # C-ordered (both terms are), as a rebuilt product is: later BLAS products round
                # by the layout, and the steps stay bit for bit a rebuild's
                product = previous.product + self._product_change(XW, changed, active[changed])
        if product is None:
            product = self._pair_product(XW, active, XW_sparse)
        H = (2.0 / self.m) * product
        H[np.diag_indices_from(H)] += 1e-12 + 1e-10 * np.trace(H) / max(1, H.shape[0])
        return H, (PairProduct(active, product) if self._integer_sparse else None)

    def _pair_product(self, XW: np.ndarray, active: np.ndarray, XW_sparse: sp.csr_matrix | None) -> np.ndarray:
        """X_W' L_A X_W."""
        first, second = self.earlier[active], self.later[active]
        n = self.n
        degree = np.bincount(first, minlength=n) + np.bincount(second, minlength=n)
        if 8 * len(first) < n * n:  # few active pairs: sparse Laplacian, rows = earlier patients (already ordered)
            indptr = np.concatenate([[0], np.cumsum(np.bincount(first, minlength=n))])
            links = sp.csr_matrix((np.ones(len(first)), second, indptr), shape=(n, n))
            laplacian_X = degree[:, None] * XW - links @ XW - links.T @ XW
        else:
            counts = np.bincount(first * n + second, minlength=n * n).reshape(n, n).astype(np.float64)
            laplacian = -(counts + counts.T)
            laplacian[np.diag_indices(n)] += degree
            # L is symmetric: L X_W = (X_W' L)', a sparse-times-dense product when X_W is sparse
            laplacian_X = laplacian @ XW if XW_sparse is None else (XW_sparse.T @ laplacian).T
        return np.asarray(XW.T @ laplacian_X if XW_sparse is None else XW_sparse.T @ laplacian_X)

    def _product_change(self, XW: np.ndarray, pairs: np.ndarray, now_active: np.ndarray) -> np.ndarray:
        """Sum over the given pairs of +-(x_i - x_j)(x_i - x_j)': + for pairs that became active.

        Dense rows whatever the columns: for fewer than n/2 pairs BLAS beats sparse products
        3 to 15 times (measured on NetNorM working sets). C-ordered, like the matmul it is.
        """
        differences = XW[self.earlier[pairs]] - XW[self.later[pairs]]
        return differences.T @ (np.where(now_active, 1.0, -1.0)[:, None] * differences)


@dataclass
class PairProduct:
    """X_W' L_A X_W of integer profiles, and the active pairs A it is for (the next Newton step updates it)."""

    active: np.ndarray
    product: np.ndarray


def first_of_identical_columns(X) -> np.ndarray:
    """Mask of the non-zero columns that are the first of their group of identical columns.

    Columns are compared through a random projection (sparse: a 64-bit multiplicative
    hash; dense: a Gaussian projection), so identical columns always collide and different
    ones practically never do.
    """
    if sp.issparse(X):
        columns = sp.csc_matrix(X)
        weights = np.random.default_rng(0).integers(1, 2**62, X.shape[0], dtype=np.int64).astype(np.uint64)
        values = columns.data.astype(np.float64).view(np.uint64) | np.uint64(1)
        terms = weights[columns.indices] * values  # wraps modulo 2^64, as intended
        cumulative = np.concatenate([[np.uint64(0)], np.cumsum(terms, dtype=np.uint64)])
        keys = cumulative[columns.indptr[1:]] - cumulative[columns.indptr[:-1]]
        nonzero = np.flatnonzero(np.diff(columns.indptr) > 0)
    else:
        X = np.asarray(X)
        weights = np.random.default_rng(0).standard_normal(X.shape[0])
        # Summed row block by row block, each column alone in the same order: identical columns
        # always get identical keys. (A BLAS product `weights @ X` rounds by column position,
        # and split one pair of identical NSQN columns; it also cast all of float32 X at once.)
        keys = np.zeros(X.shape[1])
        for start in range(0, X.shape[0], _KEY_ROWS):
            keys += (weights[start : start + _KEY_ROWS, None] * X[start : start + _KEY_ROWS]).sum(axis=0)
        nonzero = np.flatnonzero(np.any(X, axis=0))
    _, first = np.unique(keys[nonzero], return_index=True)
    mask = np.zeros(X.shape[1], dtype=bool)
    mask[nonzero[first]] = True
    return mask


def alpha_max(problem: PairProblem) -> float:
    """The smallest penalty at which every coefficient is zero."""
    _, gradient, _ = problem.full_gradient(np.zeros(problem.n))
    return float(np.abs(gradient).max()) if gradient.size else 0.0


def duality_gap(problem: PairProblem, w: np.ndarray, alpha: float) -> tuple[float, float, np.ndarray]:
    """(primal objective, duality gap, full gradient) at w.

    Dual point: theta = (2/m) slack, scaled so that ||X' B' theta||_inf <= alpha; the dual
    objective of the squared hinge is sum(theta) - (m/4) sum(theta^2).
    """
    loss, gradient, slack = problem.full_gradient(problem.scores(w))
    primal = loss + alpha * float(np.abs(w).sum())
    largest = float(np.abs(gradient).max()) if gradient.size else 0.0
    scale = min(1.0, alpha / largest) if largest > 0 else 1.0
    theta = (2.0 / problem.m * scale) * slack
    dual = float(theta.sum()) - problem.m / 4.0 * float(theta @ theta)
    return primal, max(primal - dual, 0.0), gradient


def _newton_on_working_set(
    problem: PairProblem, columns: tuple[np.ndarray, sp.csr_matrix | None], w: np.ndarray, alpha: float, tol: float
) -> np.ndarray:
    """Proximal Newton on the working-set columns (dense, and sparse if worth it) until optimality holds to `tol`."""
    XW, XW_sparse = columns
    m = problem.m

    def objective(v: np.ndarray) -> float:
        slack = problem.slack(XW @ v)
        return float(slack @ slack) / m + alpha * float(np.abs(v).sum())

    previous = None
    for _ in range(_MAX_NEWTON_STEPS):
        slack = problem.slack(XW @ w)
        value = float(slack @ slack) / m + alpha * float(np.abs(w).sum())
        gradient = XW.T @ problem.score_gradient(slack)
        # minimum-norm subgradient: zero at an optimum
        optimality = np.where(
            w > 0,
            gradient + alpha,
            np.where(w < 0, gradient - alpha, np.sign(gradient) * np.maximum(np.abs(gradient) - alpha, 0.0)),
        )
        if np.abs(optimality).max(initial=0.0) <= tol:
            return w
        H, previous = problem.hessian(XW, slack, XW_sparse, previous)
        target = lasso_qp(H, gradient - H @ w, alpha, w)
        direction = target - w
        if not np.any(direction):
            return w
        decrease = gradient @ direction + alpha * (np.abs(target).sum() - np.abs(w).sum())
        step = 1.0
        while step > 1e-10 and objective(w + step * direction) > value + 1e-4 * step * decrease:
            step *= 0.5
        if step <= 1e-10:
            return w
        w = w + step * direction
    return w


def solve(
    problem: PairProblem, alpha: float, start: np.ndarray, *, tol: float = 1e-6, max_iter: int = 100
) -> tuple[np.ndarray, SolveInfo]:
    """Minimise P(w) at one penalty from `start`; stops when the duality gap is <= tol * P(w)."""
    w = np.array(start, dtype=np.float64)
    previous = np.inf
    for rounds in range(1, max_iter + 1):
        primal, gap, gradient = duality_gap(problem, w, alpha)
        if gap <= tol * max(primal, np.finfo(float).tiny):
            return w, SolveInfo(alpha, gap, primal, rounds, True)
        if primal >= previous * (1 - 1e-14):
            break  # no progress left at working precision
        previous = primal
        violation = np.abs(gradient) - alpha
        support = w != 0
        violation[support] = np.inf
        violation[~problem.candidates & ~support] = -np.inf
        size = int(support.sum()) + max(int(support.sum()), _ENTER_AT_LEAST)
        working = np.argpartition(-violation, min(size, len(violation) - 1))[:size]
        working = np.sort(working[(violation[working] > 0) | support[working]])
        weights = _newton_on_working_set(problem, problem.columns(working), w[working], alpha, tol=1e-3 * tol * alpha)
        w = np.zeros_like(w)
        w[working] = weights
    primal, gap, _ = duality_gap(problem, w, alpha)
    converged = gap <= tol * max(primal, np.finfo(float).tiny)
    if not converged:
        reason = (
            f"after max_iter={max_iter} working-set rounds; raise max_iter"
            if rounds == max_iter
            else (f"after {rounds} rounds: no progress left at working precision; raise tol")
        )
        warnings.warn(
            f"survival SVM: duality gap {gap:.2e} (objective {primal:.4g}) above tol={tol:g} {reason} "
            f"(alpha={alpha:.4g})",
            ConvergenceWarning,
            stacklevel=3,
        )
    return w, SolveInfo(alpha, gap, primal, rounds, converged)


def solve_path(
    problem: PairProblem, alphas, *, tol: float = 1e-6, max_iter: int = 100, start: np.ndarray | None = None
) -> tuple[np.ndarray, list[SolveInfo]]:
    """Coefficients (features x penalties) along the penalties in the given order, each warm-started."""
    w = np.zeros(problem.X.shape[1]) if start is None else np.array(start, dtype=np.float64)
    coefs = np.zeros((problem.X.shape[1], len(alphas)))
    infos = []
    with _BLAS.limit(limits=1, user_api="blas"):
        for index, alpha in enumerate(alphas):
            w, info = solve(problem, float(alpha), w, tol=tol, max_iter=max_iter)
            coefs[:, index] = w
            infos.append(info)
    return coefs, infos
