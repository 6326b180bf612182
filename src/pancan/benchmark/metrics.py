"""Test-fold metrics: Harrell's C and Uno's IPCW C truncated at one time per cancer type."""

from __future__ import annotations

import numpy as np
from sksurv.metrics import concordance_index_ipcw

from pancan.errors import InvalidParameterError
from pancan.models.pairs import harrell_cindex

DAYS_PER_YEAR = 365.25


def uno_truncation(time_days: np.ndarray, *, years: float | None = None, quantile: float | None = 0.8) -> float:
    """One truncation time (days) for Uno's C in a cancer type: a horizon in years, or a quantile of follow-up.

    A fixed tau makes the fold values estimate the same quantity; a per-fold tau at the end
    of follow-up gives a few late deaths weights of hundreds.
    """
    if years is not None:
        if years <= 0:
            raise InvalidParameterError(f"benchmark.uno_tau.years must be positive, got {years}")
        return float(years * DAYS_PER_YEAR)
    if quantile is None or not 0 < quantile < 1:
        raise InvalidParameterError(f"benchmark.uno_tau.quantile must be in (0, 1), got {quantile}")
    return float(np.quantile(np.asarray(time_days, dtype=float), quantile))


def check_uno_truncation(tau: float, time_days: np.ndarray, event: np.ndarray, what: str) -> None:
    """Uno's C truncated before the cohort's first death would compare no pair: a named error before any fit."""
    deaths = np.asarray(time_days, dtype=float)[np.asarray(event, dtype=bool)]
    if len(deaths) and tau < deaths.min():
        raise InvalidParameterError(
            f"{what}: benchmark.uno_tau truncates Uno's C at day {tau:.0f}, before the first death (day "
            f"{deaths.min():.0f}): no pair could be compared; raise benchmark.uno_tau.years (or use the quantile)"
        )


def fold_metrics(y_train, y_test, risk: np.ndarray, tau: float | None) -> dict:
    """Harrell's C, and Uno's C at `tau` (NaN, with the reason, when it cannot be computed)."""
    result = {"harrell_c": harrell_cindex(y_test, risk), "uno_c": np.nan, "uno_tau_days": tau if tau else np.nan}
    if tau is None:
        return result
    try:
        result["uno_c"] = float(concordance_index_ipcw(y_train, y_test, risk, tau=tau)[0])
    except (ValueError, ZeroDivisionError) as error:
        result["uno_error"] = str(error)
    return result
