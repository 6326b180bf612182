"""Comparable pairs of survival data and Harrell's C-index for many risk vectors at once."""

from __future__ import annotations

import numpy as np
from sksurv.util import check_y_survival


def comparable_pairs(
    event: np.ndarray, time: np.ndarray, groups: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(earlier, later) index arrays of every comparable pair, as in Harrell's C (and scikit-survival).

    A pair is comparable when the earlier time is an observed death: time[i] <
    time[j] with event[i], or tied times where i died and j was censored. With `groups`
    (e.g. the cancer type of each patient of a pooled cohort), only patients of the same
    group are compared. Vectorised: one sort and two searchsorted calls; output size = number of pairs.
    """
    event = np.asarray(event, dtype=bool)
    time = np.asarray(time, dtype=np.float64)
    if groups is None:
        stratum = np.zeros(len(time), dtype=np.int64)
    else:
        stratum = np.unique(np.asarray(groups), return_inverse=True)[1].ravel().astype(np.int64)
    # one integer key per patient: its group, then its time's rank; the group's patients end at its last key
    time_rank = np.unique(time, return_inverse=True)[1].ravel().astype(np.int64)
    key = stratum * (int(time_rank.max(initial=0)) + 1) + time_rank
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    group_end = np.searchsorted(stratum[order], stratum, side="right")  # one past each patient's group
    deaths = np.flatnonzero(event)
    first_tied = np.searchsorted(sorted_key, key[deaths], side="left")
    first_later = np.searchsorted(sorted_key, key[deaths], side="right")
    # for a death at t: every patient of its group with a later time ...
    later_counts = group_end[deaths] - first_later
    earlier = np.repeat(deaths, later_counts)
    later = order[_concatenated_ranges(first_later, later_counts)]
    # ... and every censored patient of its group with the same time
    tie_counts = first_later - first_tied
    tied = order[_concatenated_ranges(first_tied, tie_counts)]
    censored = ~event[tied]
    earlier = np.concatenate([earlier, np.repeat(deaths, tie_counts)[censored]])
    later = np.concatenate([later, tied[censored]])
    return earlier.astype(np.int64), later.astype(np.int64)


def _concatenated_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """[starts[0], ..., starts[0] + lengths[0]), [starts[1], ...), ... concatenated, without a Python loop."""
    lengths = np.asarray(lengths, dtype=np.int64)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(np.asarray(starts, dtype=np.int64), lengths) + offsets


def harrell_cindex(y, risk: np.ndarray, tied_tol: float = 1e-8, groups=None) -> np.ndarray | float:
    """Harrell's C of one risk vector (n,) or of many columns (n, m); tied risks count 1/2.

    Same definition as sksurv.metrics.concordance_index_censored; NaN when no pair is comparable.
    With `groups` (e.g. each patient's cancer type), the stratified C: pairs are compared
    within a group only (concordant pairs within groups / comparable pairs within groups).
    """
    event, time = check_y_survival(y)
    earlier, later = comparable_pairs(event, time, groups)
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
