"""Nested cross-validation: outer folds for evaluation, inner folds to choose parameter and penalty.

For each outer fold and each value of the representation's parameter, the
penalty path is set on the outer training rows; every inner fold fits the
fold steps and the whole path on its training rows and scores each penalty
on its validation rows (Harrell's C). The (parameter, penalty) with the best
mean inner C is refitted on the outer training rows and scored on the test fold.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold

from pancan.benchmark.metrics import fold_metrics
from pancan.benchmark.representation_specs import RepresentationSpec, take_rows
from pancan.errors import InputFileError, PancanError
from pancan.models.coxnet_path import CoxnetPath
from pancan.models.pairs import harrell_cindex
from pancan.models.survival_svm import penalty_grid, svm_path

logger = logging.getLogger(__name__)


@dataclass
class OuterSplit:
    repeat: int
    fold: int
    train: np.ndarray
    test: np.ndarray


@dataclass
class PathModel:
    """A linear survival model fitted along a penalty path: 'survival_svm', 'cox_lasso' or 'cox_elastic_net'."""

    name: str = "survival_svm"
    n_penalties: int = 6
    min_ratio: float = 0.05
    tol: float = 1e-3
    max_iter: int = 2000
    l1_ratio: float = 0.5

    def _cox(self) -> CoxnetPath:
        return CoxnetPath(1.0 if self.name == "cox_lasso" else self.l1_ratio, self.n_penalties, self.min_ratio)

    def penalties(self, X, y) -> np.ndarray:
        if self.name == "survival_svm":
            return penalty_grid(X, y, self.n_penalties, self.min_ratio)
        if self.name in ("cox_lasso", "cox_elastic_net"):
            return self._cox().penalty_grid(X, y)
        raise PancanError(f"unknown model {self.name!r}: use survival_svm, cox_lasso or cox_elastic_net")

    def path(self, X, y, penalties) -> np.ndarray:
        if self.name == "survival_svm":
            return svm_path(X, y, penalties, tol=self.tol, max_iter=self.max_iter)
        return self._cox().path(X, y, penalties)


@dataclass
class FoldResults:
    metrics: list[dict] = field(default_factory=list)
    predictions: list[pd.DataFrame] = field(default_factory=list)
    coefficients: list[pd.DataFrame] = field(default_factory=list)

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        coefficient_columns = ["repeat", "fold", "feature", "coefficient"]
        return (
            pd.DataFrame(self.metrics),
            pd.concat(self.predictions, ignore_index=True) if self.predictions else pd.DataFrame(),
            pd.concat(self.coefficients, ignore_index=True) if self.coefficients else pd.DataFrame(columns=coefficient_columns),
        )


def outer_splits(event: np.ndarray, n_folds: int, n_repeats: int, seed: int, repeats: list[int] | None = None) -> list[OuterSplit]:
    """Stratified (on the event) K-fold, repeated with scikit-learn's RepeatedStratifiedKFold(seed)."""
    splitter = RepeatedStratifiedKFold(n_splits=n_folds, n_repeats=n_repeats, random_state=seed)
    splits = []
    for index, (train, test) in enumerate(splitter.split(np.zeros(len(event)), event)):
        repeat, fold = divmod(index, n_folds)
        if repeats is None or repeat in repeats:
            splits.append(OuterSplit(repeat, fold, train, test))
    return splits


def splits_from_table(table: pd.DataFrame, patient_ids: np.ndarray, source: str, repeats: list[int] | None = None) -> list[OuterSplit]:
    """Outer folds from a (patient_id, repeat, fold) table, to reproduce a published split exactly."""
    missing = {"patient_id", "repeat", "fold"} - set(table.columns)
    if missing:
        raise InputFileError(source, f"fold table lacks column(s) {', '.join(sorted(missing))}")
    position = pd.Series(np.arange(len(patient_ids)), index=pd.Index(patient_ids))
    splits = []
    for (repeat, fold), group in table.groupby(["repeat", "fold"], sort=True):
        if repeats is not None and int(repeat) not in repeats:
            continue
        in_repeat = set(table.loc[table["repeat"] == repeat, "patient_id"])
        absent = [p for p in patient_ids if p not in in_repeat]
        if absent:
            raise InputFileError(source, f"repeat {repeat} assigns no fold to {len(absent)} cohort patient(s), e.g. {absent[0]}")
        test = np.sort(position.reindex(group["patient_id"]).dropna().to_numpy(dtype=int))
        train = np.setdiff1d(np.arange(len(patient_ids)), test)
        splits.append(OuterSplit(int(repeat), int(fold), train, test))
    return splits


def _inner_scores(spec, matrix, y, train, model, penalties, inner_folds, seed, max_features, scale) -> np.ndarray:
    """Mean inner-validation Harrell's C for each penalty."""
    splitter = StratifiedKFold(n_splits=inner_folds, shuffle=True, random_state=seed)
    scores = []
    for inner_train, inner_valid in splitter.split(np.zeros(len(train)), y["event"][train]):
        rows_train, rows_valid = train[inner_train], train[inner_valid]
        steps = clone(spec.fold_pipeline(max_features, scale))
        X_train = steps.fit_transform(take_rows(matrix, rows_train))
        X_valid = steps.transform(take_rows(matrix, rows_valid))
        coefs = model.path(X_train, y[rows_train], penalties)
        scores.append(harrell_cindex(y[rows_valid], np.asarray(X_valid @ coefs)))
    return np.nanmean(np.vstack(scores), axis=0)


def run_nested_cv(
    spec: RepresentationSpec,
    y: np.ndarray,
    patient_ids: np.ndarray,
    splits: list[OuterSplit],
    model: PathModel,
    *,
    inner_folds: int = 5,
    seed: int = 0,
    max_features: int | None = 2000,
    scale_features: bool = False,
) -> FoldResults:
    """Evaluate one representation on the given outer splits; returns per-fold metrics, predictions, coefficients."""
    results = FoldResults()
    for split in splits:
        started = time.perf_counter()
        inner_seed = seed + 1000 * split.repeat + split.fold
        best = (-np.inf, None, None, None)  # (score, parameter, penalty index, penalties)
        inner_table = []
        for value in spec.grid:
            matrix = spec.matrix(value)
            outer_steps = clone(spec.fold_pipeline(max_features, scale_features))
            penalties = model.penalties(outer_steps.fit_transform(take_rows(matrix, split.train)), y[split.train])
            scores = _inner_scores(spec, matrix, y, split.train, model, penalties, inner_folds, inner_seed, max_features,
                                   scale_features)
            inner_table.append(scores)
            index = int(np.nanargmax(scores)) if np.isfinite(scores).any() else 0
            if scores[index] > best[0]:  # strict: ties keep the earlier (smaller) parameter
                best = (float(scores[index]), value, index, penalties)
        inner_c, value, index, penalties = best
        matrix = spec.matrix(value)
        steps = clone(spec.fold_pipeline(max_features, scale_features))
        X_train = steps.fit_transform(take_rows(matrix, split.train))
        coef = model.path(X_train, y[split.train], penalties[: index + 1])[:, -1]
        risk = np.asarray(steps.transform(take_rows(matrix, split.test)) @ coef).ravel()
        names = _feature_names(spec, value, steps)
        selected = np.flatnonzero(coef)
        metrics = {
            "representation": spec.name,
            "repeat": split.repeat,
            "fold": split.fold,
            "n_train": len(split.train),
            "n_test": len(split.test),
            "deaths_test": int(y["event"][split.test].sum()),
            **fold_metrics(y[split.train], y[split.test], risk),
            "parameter": spec.parameter or "",
            "parameter_value": value if value is not None else np.nan,
            "penalty": float(penalties[index]),
            "penalty_index": index,
            "inner_c": inner_c,
            "n_features": X_train.shape[1],
            "n_selected": len(selected),
            "fit_seconds": round(time.perf_counter() - started, 3),
        }
        results.metrics.append(metrics)
        results.predictions.append(
            pd.DataFrame({"repeat": split.repeat, "fold": split.fold, "patient_id": patient_ids[split.test], "risk": risk})
        )
        results.coefficients.append(
            pd.DataFrame({"repeat": split.repeat, "fold": split.fold, "feature": names[selected], "coefficient": coef[selected]})
        )
        logger.info(
            "%s repeat %d fold %d: C=%.3f (Uno %.3f), %s=%s, %d features selected, %.1f s",
            spec.name, split.repeat, split.fold, metrics["harrell_c"], metrics["uno_c"], spec.parameter or "-",
            value, len(selected), metrics["fit_seconds"],
        )
    return results


def _feature_names(spec: RepresentationSpec, value, steps) -> np.ndarray:
    names = spec.feature_names(value)
    if names is None:  # clinical: names produced by the encoder
        encoder = steps.named_steps["encode"]
        return np.asarray(encoder.get_feature_names_out(), dtype=object)
    names = np.asarray(names, dtype=object)
    if "filter" in steps.named_steps:
        names = names[steps.named_steps["filter"].selected_]
    return names
