"""Exact solution of a small L1-penalised quadratic program by feature-sign search.

    minimise_v  1/2 v'Hv + b'v + alpha ||v||_1      (H positive definite, a few hundred variables)

Feature-sign search (Lee, Battle, Raina and Ng, NIPS 2006) guesses the signs of the
non-zero coefficients, solves the linear system on them, and moves along the segment to
the best point where a coefficient changes sign; violating zero coefficients enter with
the sign that decreases the objective. It ends, exactly, in a finite number of steps:
the proximal Newton solver uses it for its quadratic models, where coordinate descent in
Python would take thousands of interpreted iterations.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as la

# LAPACK directly: the same potrf/potrs that cho_factor/cho_solve call, without their
# per-call validation, which cost more than the factorisation at these sizes (measured).
_POTRF, _POTRS = la.get_lapack_funcs(("potrf", "potrs"), dtype=np.float64)


def _solve_positive_definite(A: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """A^-1 rhs by Cholesky (least squares when A is not numerically positive definite)."""
    factor, info = _POTRF(A, lower=False, overwrite_a=False, clean=False)
    if info == 0:
        solution, info = _POTRS(factor, rhs, lower=False)
        if info == 0:
            return solution
    return la.lstsq(A, rhs)[0]


def lasso_qp(
    H: np.ndarray, b: np.ndarray, alpha: float, start: np.ndarray, *, tol: float = 1e-12, max_iter: int = 1000
) -> np.ndarray:
    """argmin_v 1/2 v'Hv + b'v + alpha ||v||_1, warm-started at `start`.

    All violating zero coefficients enter at once; when that step makes no progress, only
    the worst one enters (the textbook rule, which always progresses).
    """
    v = np.array(start, dtype=np.float64)
    threshold = tol * (1.0 + alpha)
    stalled = one_at_a_time = False
    entering = np.empty(0, dtype=np.int64)
    for _ in range(max_iter):
        gradient = H @ v + b
        active = v != 0
        signs = np.sign(v)
        at_optimum_on_active = stalled or np.abs(gradient[active] + alpha * signs[active]).max(initial=0.0) <= threshold
        stalled = False
        if at_optimum_on_active:
            violation = np.abs(gradient) - alpha
            violation[active] = -np.inf
            entering = np.flatnonzero(violation > threshold)
            if len(entering) == 0:
                return v
            if one_at_a_time:
                entering = entering[[int(np.argmax(violation[entering]))]]
            signs[entering] = -np.sign(gradient[entering])
            active[entering] = True
        support = np.flatnonzero(active)
        H_rows = H[support]
        H_support = H[np.ix_(support, support)]  # C-ordered, as the products below expect for equal rounding
        rhs = -(b[support] + alpha * signs[support])
        target = _solve_positive_definite(H_support, rhs)
        current = v[support]
        direction = target - current
        with np.errstate(divide="ignore", invalid="ignore"):
            crossing = -current / direction
        steps = np.sort(np.append(crossing[(crossing > 0) & (crossing < 1)], 1.0))
        steps = steps[np.append(True, steps[1:] != steps[:-1])]  # distinct steps, as np.unique
        # the objective at every candidate step, vectorised: quadratic along the segment, plus the L1 term
        base = 0.5 * v @ H @ v + b @ v + alpha * np.abs(v).sum()
        slope = (H_rows @ v + b[support]) @ direction
        curvature = 0.5 * direction @ H_support @ direction
        points = current[None, :] + steps[:, None] * direction[None, :]
        values = (
            base + steps * slope + steps**2 * curvature + alpha * (np.abs(points).sum(axis=1) - np.abs(current).sum())
        )
        best = int(np.argmin(values))
        if values[best] >= base - 1e-15 * max(1.0, abs(base)):
            if len(steps) > 1:
                best = 0  # a coefficient reaches zero at once: take that step (no increase in exact arithmetic)
            elif at_optimum_on_active and not one_at_a_time and len(entering) > 1:
                one_at_a_time = True
                continue
            elif at_optimum_on_active:
                return v
            else:
                stalled = True  # the active set is optimal to working precision
                continue
        step = steps[best]
        moved = current + step * direction
        if step < 1.0:
            moved[np.abs(crossing - step) <= 1e-12 * step] = 0.0  # np.isclose(crossing, step, rtol=1e-12, atol=0)
        v[support] = moved
        one_at_a_time = False
    return v
