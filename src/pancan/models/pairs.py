"""Comparable pairs of survival data and Harrell's C-index for many risk vectors at once."""

from __future__ import annotations

import numpy as np
from sksurv.util import check_y_survival


def comparable_pairs(event: np.ndarray, time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(earlier, later) index arrays of every comparable pair, as in Harrell's C (and scikit-survival).

    A pair is comparable when the earlier time is an observed death: time[i] <
    time[j] with event[i], or tied times where i died and j was censored.
    Vectorised: one sort and one searchsorted, output size = number of pairs.
    """
    event = np.asarray(event, dtype=bool)
    time = np.asarray(time, dtype=np.float64)
    order = np.argsort(time, kind="stable")
    sorted_time = time[order]
    deaths = np.flatnonzero(event)
    # for a death at t: all j with time > t, plus censored j with time == t
    first_later = np.searchsorted(sorted_time, time[deaths], side="right")
    first_tied = np.searchsorted(sorted_time, time[deaths], side="left")
    later_counts = len(time) - first_later
    earlier = np.repeat(deaths, later_counts)
    offsets = np.arange(later_counts.sum()) - np.repeat(np.cumsum(later_counts) - later_counts, later_counts)
    later = order[np.repeat(first_later, later_counts) + offsets]
    tied_censored = [order[a:b][~event[order[a:b]]] for a, b in zip(first_tied, first_later)]
    tie_counts = np.array([len(t) for t in tied_censored], dtype=np.int64)
    if tie_counts.sum():
        earlier = np.concatenate([earlier, np.repeat(deaths, tie_counts)])
        later = np.concatenate([later, np.concatenate(tied_censored)])
    return earlier.astype(np.int64), later.astype(np.int64)


def harrell_cindex(y, risk: np.ndarray, tied_tol: float = 1e-8) -> np.ndarray | float:
    """Harrell's C of one risk vector (n,) or of many columns (n, m); tied risks count 1/2.

    Same definition as sksurv.metrics.concordance_index_censored; NaN when no pair is comparable.
    """
    event, time = check_y_survival(y)
    earlier, later = comparable_pairs(event, time)
    risk = np.asarray(risk, dtype=np.float64)
    single = risk.ndim == 1
    risk = risk.reshape(len(time), -1)
    if len(earlier) == 0:
        out = np.full(risk.shape[1], np.nan)
    else:
        difference = risk[earlier] - risk[later]
        tied = np.abs(difference) <= tied_tol
        out = ((difference > 0) & ~tied).sum(axis=0) / len(earlier) + 0.5 * tied.sum(axis=0) / len(earlier)
    return float(out[0]) if single else out
