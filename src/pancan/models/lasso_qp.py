"""A small L1-penalised quadratic program, by cyclic coordinate descent (compiled with numba).

    minimise_v  1/2 v'(H + ridge I)v + b'v + alpha ||v||_1    (H + ridge I symmetric positive definite,
                                                                up to a few hundred variables)

Each coordinate in turn moves to its exact minimiser with the others fixed (a soft
threshold), and the gradient (H + ridge I)v + b is updated by one column of H (and the
ridge on the coordinate's own entry). Every update lowers the objective, so a direction
found this way from the current point is a descent direction of the proximal Newton model
whatever the number of sweeps (Yuan, Ho & Lin 2012, liblinear's newGLMNET, solve their
Newton models the same way). A sweep ends the solve once no coordinate moved by more than
`tol` in gradient units (|change| x (H_jj + ridge), the size of that coordinate's smallest
subgradient before it moved).
"""

from __future__ import annotations

import numba
import numpy as np


def lasso_qp(
    H: np.ndarray, b: np.ndarray, alpha: float, start: np.ndarray, *, ridge: float = 0.0, tol: float = 1e-12
) -> np.ndarray:
    """argmin_v 1/2 v'(H + ridge I)v + b'v + alpha ||v||_1, from `start` (see module docstring for `tol`).

    The ridge is added on the fly, so the caller's H is only read (and not copied when it is already
    C-contiguous float64, as the solver's Hessians are).
    """
    H = np.ascontiguousarray(H, dtype=np.float64)
    v = np.array(start, dtype=np.float64)
    gradient = H @ v + ridge * v + np.asarray(b, dtype=np.float64)
    _coordinate_descent(H, float(ridge), gradient, float(alpha), v, float(tol), 100 * len(v) + 1000)
    return v


@numba.njit(cache=True, nogil=True)
def _coordinate_descent(H, ridge, gradient, alpha, v, tol, max_sweeps):  # pragma: no cover (compiled)
    """Cyclic coordinate descent in place on v, with gradient = (H + ridge I)v + b kept up to date; returns the
    sweeps made."""
    q = len(v)
    for sweep in range(max_sweeps):
        largest = 0.0
        for j in range(q):
            curvature = H[j, j] + ridge
            z = v[j] * curvature - gradient[j]  # the coordinate's minimiser is soft(z, alpha) / (H_jj + ridge)
            new = (z - alpha if z > alpha else (z + alpha if z < -alpha else 0.0)) / curvature
            change = new - v[j]
            if change != 0.0:
                v[j] = new
                row = H[j]  # H is symmetric: row j is column j, contiguous
                for i in range(q):
                    gradient[i] += row[i] * change
                gradient[j] += ridge * change
                moved = abs(change) * curvature
                if moved > largest:
                    largest = moved
        if largest <= tol:
            return sweep + 1
    return max_sweeps
