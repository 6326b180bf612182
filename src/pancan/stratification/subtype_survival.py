"""Survival of subtypes: multi-group log-rank per k (BH-adjusted over k) and a Cox model adjusted for age and stage.

Survival is used only here, after clustering: subtypes are found from mutations alone.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy import stats
from sksurv.compare import compare_survival
from sksurv.linear_model import CoxPHSurvivalAnalysis
from sksurv.linear_model.coxph import CoxPHOptimizer
from sksurv.util import Surv

_ROMAN_STAGE = re.compile(r"stage\s+(iv|iii|ii|i)", re.IGNORECASE)
_STAGE_GROUP = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
MIN_GROUP = 2  # a subtype with fewer patients makes the log-rank test meaningless


def logrank_by_k(assignments: pd.DataFrame, patients: pd.DataFrame, ks) -> pd.DataFrame:
    """k, groups, log-rank chi2, degrees of freedom, p and Benjamini-Hochberg q over the k tested.

    assignments: patient_id + one column 'k<k>' per k (subtype labels, NA for patients not clustered).
    """
    table = assignments.merge(patients[["patient_id", "time_days", "event"]], on="patient_id")
    rows = []
    for k in ks:
        labels = table[f"k{k}"]
        use = labels.notna().to_numpy()
        groups = labels[use].astype(int).to_numpy()
        sizes = np.bincount(groups)[1:]
        row = {
            "k": k,
            "patients": int(use.sum()),
            "deaths": int(table["event"][use].sum()),
            "smallest_subtype": int(sizes[sizes > 0].min()),
            "chi2": np.nan,
            "df": len(np.unique(groups)) - 1,
            "p_value": np.nan,
        }
        if row["df"] >= 1 and row["smallest_subtype"] >= MIN_GROUP:
            y = Surv.from_arrays(table["event"][use].astype(bool), table["time_days"][use])
            chi2, p_value = compare_survival(y, groups)
            row.update(chi2=float(chi2), p_value=float(p_value))
        rows.append(row)
    result = pd.DataFrame(rows)
    tested = result["p_value"].notna()
    result["q_value"] = np.nan
    if tested.any():
        result.loc[tested, "q_value"] = stats.false_discovery_control(result.loc[tested, "p_value"], method="bh")
    return result


def stage_group(values: pd.Series) -> pd.Series:
    """AJCC stage text ('stage iiic', 'Stage IIA') to its group 1-4; anything else (e.g. 'stage x') to NA."""

    def parse(value):
        match = _ROMAN_STAGE.match(str(value).strip()) if pd.notna(value) else None
        return _STAGE_GROUP[match.group(1).lower()] if match else np.nan

    return values.map(parse).astype(float)


def cox_design(subtypes: pd.Series, clinical: pd.DataFrame, covariates, stage_columns) -> pd.DataFrame:
    """Design matrix: one indicator per subtype but the largest (the reference), numeric covariates
    (age per 10 years) and the stage group (ordinal 1-4, from the first stage column present)."""
    design = pd.DataFrame(index=subtypes.index)
    reference = int(subtypes.value_counts().sort_index().idxmax())
    for subtype in sorted(subtypes.dropna().unique()):
        if int(subtype) != reference:
            design[f"subtype {int(subtype)} vs {reference}"] = (subtypes == subtype).astype(float)
    for name in covariates:
        if name in clinical.columns:
            values = pd.to_numeric(clinical[name], errors="coerce")
            if name.startswith("age"):
                design[f"{name} (per 10 years)"] = values / 10.0
            else:
                design[name] = values
    for name in stage_columns:
        if name in clinical.columns and clinical[name].notna().any():
            design[f"stage group ({name})"] = stage_group(clinical[name])
            break
    return design


def cox_subtypes(
    subtypes: pd.Series, patients: pd.DataFrame, clinical: pd.DataFrame, covariates=(), stage_columns=()
) -> tuple[pd.DataFrame, dict]:
    """Cox model (Breslow ties, scikit-survival) of the subtypes adjusted for the covariates, on complete cases.

    Returns per-term hazard ratios with 95% Wald confidence intervals and p-values, and
    a summary: patients, deaths, and the likelihood-ratio test of the subtype terms
    (the model against the same model without them). A subtype with fewer than MIN_GROUP
    patients or no death has no finite hazard ratio (the partial likelihood grows without
    bound), so its patients are left out of the model; `summary["left_out"]` counts them.
    """
    frame = patients.set_index("patient_id")[["time_days", "event"]].join(clinical.set_index("patient_id"))
    frame = frame.loc[subtypes.dropna().index]
    groups = frame.groupby(subtypes.dropna().astype(int))["event"].agg(["size", "sum"])
    estimable = groups.index[(groups["size"] >= MIN_GROUP) & (groups["sum"] > 0)]
    kept = subtypes.dropna().astype(int).isin(estimable).to_numpy()
    left_out = int((~kept).sum())
    subtypes, frame = subtypes.dropna()[kept], frame[kept]
    design = cox_design(subtypes.dropna().astype(int), frame, covariates, stage_columns)
    complete = design.notna().all(axis=1)
    design, frame = design[complete.to_numpy()], frame[complete.to_numpy()]
    subtype_terms = [c for c in design.columns if c.startswith("subtype")]
    y = Surv.from_arrays(frame["event"].astype(bool), frame["time_days"])
    coef, loglik_full, covariance = _fit(design.to_numpy(), y)
    loglik_reduced = (
        _fit(design.drop(columns=subtype_terms).to_numpy(), y)[1]
        if len(design.columns) > len(subtype_terms)
        else _null_loglik(y)
    )
    se = np.sqrt(np.diag(covariance))
    z = coef / se
    terms = pd.DataFrame(
        {
            "term": design.columns,
            "coefficient": coef,
            "hazard_ratio": np.exp(coef),
            "ci_lower": np.exp(coef - 1.959964 * se),
            "ci_upper": np.exp(coef + 1.959964 * se),
            "p_value": 2 * stats.norm.sf(np.abs(z)),
        }
    )
    statistic = 2 * (loglik_full - loglik_reduced)
    summary = {
        "patients": len(design),
        "left_out": left_out,
        "deaths": int(frame["event"].sum()),
        "subtype_lr_chi2": float(statistic),
        "subtype_lr_df": len(subtype_terms),
        "subtype_lr_p": float(stats.chi2.sf(statistic, len(subtype_terms))) if subtype_terms else np.nan,
    }
    return terms, summary


def _fit(X: np.ndarray, y) -> tuple[np.ndarray, float, np.ndarray]:
    """Coefficients, log partial likelihood and inverse observed information of an unpenalised Cox model."""
    model = CoxPHSurvivalAnalysis(ties="breslow").fit(X, y)
    optimizer = CoxPHOptimizer(X, y["event"], y["time"], np.zeros(X.shape[1]), "breslow")
    optimizer.update(model.coef_)  # gradient and Hessian of the mean negative log partial likelihood
    n = X.shape[0]
    loglik = -n * optimizer.nlog_likelihood(model.coef_)
    return model.coef_, float(loglik), np.linalg.inv(n * optimizer.hessian)


def _null_loglik(y) -> float:
    """Log partial likelihood with no covariate (Breslow): - sum over deaths of log(number at risk)."""
    time, event = y["time"], y["event"]
    at_risk = (time[None, :] >= time[event][:, None]).sum(axis=1)
    return float(-np.log(at_risk).sum())
