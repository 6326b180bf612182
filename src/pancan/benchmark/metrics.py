"""Test-fold metrics: Harrell's C and Uno's IPCW C with a valid truncation time."""

from __future__ import annotations

import numpy as np
from sksurv.metrics import concordance_index_ipcw
from sksurv.nonparametric import CensoringDistributionEstimator

from pancan.models.pairs import harrell_cindex


def ipcw_tau(y_train, y_test) -> float:
    """Largest truncation time for which the censoring survival estimate stays positive on every test time used.

    Uno's C weights by 1/G(t)^2, G the censoring survival fitted on the training
    fold; test times at or beyond the last training time, or where G = 0, cannot
    be weighted. tau is the first such test time (test times below it are kept),
    or just above the largest test time when all are usable.
    """
    censoring = CensoringDistributionEstimator().fit(y_train)
    train_max = float(y_train["time"].max())
    times = np.unique(y_test["time"])
    usable = times < train_max
    if usable.any():
        survival = censoring.predict_proba(times[usable])
        usable[np.flatnonzero(usable)] = survival > 0
    if usable.all():
        return float(np.nextafter(times.max(), np.inf))
    return float(times[~usable].min())


def fold_metrics(y_train, y_test, risk: np.ndarray) -> dict:
    """Harrell's C, Uno's C (NaN with the reason when it cannot be computed) and the tau used."""
    result = {"harrell_c": harrell_cindex(y_test, risk), "uno_c": np.nan, "uno_tau": np.nan}
    try:
        tau = ipcw_tau(y_train, y_test)
        result["uno_tau"] = tau
        result["uno_c"] = float(concordance_index_ipcw(y_train, y_test, risk, tau=tau)[0])
    except (ValueError, ZeroDivisionError) as error:
        result["uno_error"] = str(error)
    return result
