"""Nested cross-validation: the representation's PathSearchCV inside every outer fold.

Each outer fold runs exactly `PathSearchCV.fit(X[train], y[train]).predict(X[test])`; the
only difference from calling it fold by fold is the order of the work: grid values
outermost (every outer fold's inner cross-validation of one grid value, then the next),
so that the per-patient memo of the representation holds one grid value at a time, and
the refits grouped by the chosen value. The numbers are the same (tested).
"""

from __future__ import annotations

import logging
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import RepeatedStratifiedKFold

from pancan.benchmark.metrics import fold_metrics
from pancan.errors import InputFileError, InsufficientDataError
from pancan.models.pairs import harrell_cindex
from pancan.models.path_model import model_weights
from pancan.models.path_search import GridPointScores, PathSearchCV, take_rows

logger = logging.getLogger(__name__)
# a long inner cross-validation logs its progress at most this often (seconds), besides each grid value
PROGRESS_SECONDS = 60.0


@dataclass
class OuterSplit:
    repeat: int
    fold: int
    train: np.ndarray
    test: np.ndarray


@dataclass
class FoldResults:
    metrics: list[dict] = field(default_factory=list)
    predictions: list[pd.DataFrame] = field(default_factory=list)
    coefficients: list[pd.DataFrame] = field(default_factory=list)
    inner: list[pd.DataFrame] = field(default_factory=list)  # inner scores of every grid point, per outer fold

    def inner_table(self) -> pd.DataFrame:
        return pd.concat(self.inner, ignore_index=True) if self.inner else pd.DataFrame()

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        coefficient_columns = ["repeat", "fold", "feature", "coefficient"]
        return (
            pd.DataFrame(self.metrics),
            pd.concat(self.predictions, ignore_index=True) if self.predictions else pd.DataFrame(),
            pd.concat(self.coefficients, ignore_index=True)
            if self.coefficients
            else pd.DataFrame(columns=coefficient_columns),
        )


def outer_splits(
    event: np.ndarray,
    n_folds: int,
    n_repeats: int,
    seed: int,
    repeats: list[int] | None = None,
    what: str = "the cohort",
) -> list[OuterSplit]:
    """Stratified (on the event) K-fold, repeated with scikit-learn's RepeatedStratifiedKFold(seed).

    A fold without a death cannot be scored, so too few deaths for the folds is an early error naming `what`.
    """
    event = np.asarray(event, dtype=bool)
    if event.sum() < 2:
        raise too_few_deaths(int(event.sum()), len(event), what)
    if event.sum() < n_folds:
        raise InsufficientDataError(
            f"{what}: {int(event.sum())} deaths for {n_folds} outer folds: some test fold would have no death; "
            "lower benchmark.outer_folds"
        )
    splitter = RepeatedStratifiedKFold(n_splits=n_folds, n_repeats=n_repeats, random_state=seed)
    splits = []
    for index, (train, test) in enumerate(splitter.split(np.zeros(len(event)), event)):
        repeat, fold = divmod(index, n_folds)
        if repeats is None or repeat in repeats:
            splits.append(OuterSplit(repeat, fold, train, test))
    return splits


def cohort_outer_splits(
    event: np.ndarray,
    patient_ids: np.ndarray,
    n_folds: int,
    repeats: list[int],
    seed: int,
    folds_table: pd.DataFrame | None = None,
    folds_source: str = "",
    what: str = "the cohort",
) -> list[OuterSplit]:
    """A cohort's outer folds for `repeats`: a published split (fold table) when given, else `outer_splits`."""
    if folds_table is not None:
        return splits_from_table(folds_table, patient_ids, folds_source, repeats=repeats, n_folds=n_folds)
    # repeat r of RepeatedStratifiedKFold does not depend on how many repeats follow it
    return outer_splits(event, n_folds, max(repeats) + 1, seed, repeats=repeats, what=what)


def read_fold_table(path) -> pd.DataFrame:
    """A (patient_id, repeat, fold) table: TSV with a header; unreadable files are named errors."""
    try:
        return pd.read_csv(path, sep="\t", dtype={"patient_id": str})
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise InputFileError(path, f"cannot be read as a fold table ({error})") from error


def splits_from_table(
    table: pd.DataFrame,
    patient_ids: np.ndarray,
    source: str,
    repeats: list[int] | None = None,
    n_folds: int | None = None,
) -> list[OuterSplit]:
    """Outer folds from a (patient_id, repeat, fold) table, to reproduce a published split exactly.

    Every cohort patient must be in exactly one fold of each repeat used; patients of the
    table outside the cohort are ignored (with a warning); the number of folds must be
    `n_folds` when given. Errors name the file, the repeat and a patient.
    """
    missing = {"patient_id", "repeat", "fold"} - set(table.columns)
    if missing:
        raise InputFileError(source, f"fold table lacks column(s) {', '.join(sorted(missing))}")
    for column in ("repeat", "fold"):
        numbers = pd.to_numeric(table[column], errors="coerce")
        if numbers.isna().any() or (numbers != numbers.round()).any():
            raise InputFileError(
                source,
                f"column {column} must hold whole numbers, found {table[column][numbers.isna() | (numbers != numbers.round())].iloc[0]!r}",
            )
        table = table.assign(**{column: numbers.astype(int)})
    available = sorted(table["repeat"].unique())
    wanted = available if repeats is None else list(repeats)
    absent_repeats = [r for r in wanted if r not in available]
    if absent_repeats:
        raise InputFileError(
            source,
            f"no fold for repeat {absent_repeats[0]} (the file has repeat(s) "
            f"{', '.join(map(str, available))}); lower benchmark.outer_repeats",
        )
    cohort = pd.Index(patient_ids)
    unknown = sorted(set(table["patient_id"]) - set(cohort))
    if unknown:
        logger.warning(
            "%s: %d patient(s) are not in the cohort and are ignored, e.g. %s", source, len(unknown), unknown[0]
        )
    splits = []
    for repeat in wanted:
        rows = table[(table["repeat"] == repeat) & table["patient_id"].isin(cohort)]
        twice = rows["patient_id"][rows["patient_id"].duplicated()]
        if len(twice):
            raise InputFileError(source, f"patient {twice.iloc[0]} is in more than one fold of repeat {repeat}")
        absent = cohort.difference(rows["patient_id"])
        if len(absent):
            raise InputFileError(
                source, f"repeat {repeat} assigns no fold to {len(absent)} cohort patient(s), e.g. {absent[0]}"
            )
        folds = sorted(table.loc[table["repeat"] == repeat, "fold"].unique())
        if n_folds is not None and len(folds) != n_folds:
            raise InputFileError(source, f"repeat {repeat} has {len(folds)} folds, benchmark.outer_folds is {n_folds}")
        for fold in folds:
            in_fold = rows.loc[rows["fold"] == fold, "patient_id"]
            if in_fold.empty:
                raise InputFileError(source, f"repeat {repeat} fold {fold} holds no patient of the cohort")
            test = np.sort(cohort.get_indexer(in_fold))
            splits.append(OuterSplit(int(repeat), int(fold), np.setdiff1d(np.arange(len(cohort)), test), test))
    return splits


def too_few_deaths(deaths: int, patients: int, what: str) -> InsufficientDataError:
    """The error for a cohort with 0 or 1 death: no fold setting helps, another endpoint or type might."""
    return InsufficientDataError(
        f"{what}: {deaths} death(s) among {patients} patients: a survival model can be neither trained nor scored; "
        "leave the type out (cancer_types) or choose an endpoint with more events (survival.endpoint)"
    )


def check_deaths(event: np.ndarray, splits: list[OuterSplit], what: str, inner_folds: int | None = None) -> None:
    """Before any fit: every test fold needs a death to be scored, and every training part one per inner fold
    (stratified inner folds each need a death to score a validation fold). Named errors that say what helps."""
    event = np.asarray(event, dtype=bool)
    deaths = int(event.sum())
    if deaths < 2:
        raise too_few_deaths(deaths, len(event), what)
    for split in splits:
        if not event[split.test].any():
            raise InsufficientDataError(
                f"{what}: repeat {split.repeat} fold {split.fold} has no death in its test fold ({deaths} deaths in "
                f"all); lower benchmark.outer_folds (to {deaths} or fewer)"
            )
        trained = int(event[split.train].sum())
        if inner_folds is not None and trained < inner_folds:
            raise InsufficientDataError(
                f"{what}: repeat {split.repeat} fold {split.fold} has {trained} death(s) in its training part, fewer "
                f"than benchmark.inner_folds ({inner_folds}): every inner fold needs a death; lower "
                f"benchmark.inner_folds (to {max(trained, 2)} or fewer)"
                + (" or benchmark.outer_folds" if trained >= 2 else "")
            )


def _edge(index: int, size: int, names: tuple[str, str]) -> str:
    if size < 2:
        return ""
    return names[0] if index == 0 else names[1] if index == size - 1 else ""


def nested_cross_validation(
    search: PathSearchCV,
    X,
    y: np.ndarray,
    patient_ids: np.ndarray,
    splits: list[OuterSplit],
    *,
    inner_seeds: dict[tuple[int, int], int] | None = None,
    feature_names: np.ndarray | None = None,
    uno_tau: float | None = None,
    name: str = "",
    groups: np.ndarray | None = None,
) -> FoldResults:
    """Evaluate `search` on the outer splits; per-fold metrics, test predictions, selected coefficients, inner grids.

    Solver warnings (ConvergenceWarning) are counted per outer fold (`solver_warnings`) and
    logged once per message, so that they reach the rule's log and the fold table.

    `groups` (the cancer type of each patient of a pooled cohort): every search compares
    patients within a group only (`PathSearchCV.fit(..., groups=)`); the fold's `harrell_c` is
    then the stratified C (concordant / comparable pairs within groups), Uno's C is not
    computed (one truncation time per type), and the predictions name each patient's group.
    """
    groups = None if groups is None else np.asarray(groups)

    def rows_of(values, rows):
        return None if values is None else values[rows]

    searches = {}
    for split in splits:
        fold_search = clone(search)
        if inner_seeds is not None:
            fold_search.set_params(random_state=inner_seeds[(split.repeat, split.fold)])
        searches[(split.repeat, split.fold)] = fold_search
    grid = search.grid()
    path = search.resolved_path()
    scores: dict[tuple[int, int], list] = {key: [] for key in searches}
    warned: dict[tuple[int, int], list[str]] = {key: [] for key in searches}
    last_report = time.perf_counter()
    for position, params in enumerate(grid):  # grid-major: one grid value's memo at a time
        started = time.perf_counter()
        for done, split in enumerate(splits, start=1):
            key = (split.repeat, split.fold)
            previous = scores[key][-1] if scores[key] else None  # warm starts from the grid value before
            with _solver_warnings(warned[key]):
                scores[key].append(
                    searches[key].evaluate(
                        params,
                        take_rows(X, split.train),
                        y[split.train],
                        previous=previous,
                        groups=rows_of(groups, split.train),
                        keep_transformed=False,  # held for every outer fold until the refits: transformed again
                    )
                )
            if time.perf_counter() - last_report > PROGRESS_SECONDS and done < len(splits):
                last_report = time.perf_counter()  # long inner CVs (e.g. a pooled cohort) report as they go
                logger.info(
                    "%s: grid value %d/%d, inner CV of %d/%d outer folds done",
                    name,
                    position + 1,
                    len(grid),
                    done,
                    len(splits),
                )
        last_report = time.perf_counter()
        logger.info(
            "%s: grid value %d/%d %s done for %d outer folds in %.1f s",
            name,
            position + 1,
            len(grid),
            params or "",
            len(splits),
            time.perf_counter() - started,
        )
    chosen = {key: searches[key].select(scores[key]).grid_index for key in searches}
    results = FoldResults()
    for split in sorted(splits, key=lambda s: (chosen[(s.repeat, s.fold)], s.repeat, s.fold)):
        key = (split.repeat, split.fold)
        started = time.perf_counter()
        with _solver_warnings(warned[key]):
            fitted = searches[key].refit(
                scores[key], take_rows(X, split.train), y[split.train], groups=rows_of(groups, split.train)
            )
        risk = np.asarray(fitted.predict(take_rows(X, split.test)), dtype=float).ravel()
        model = fitted.best_estimator_[-1]
        weights = model_weights(model)
        names = np.asarray(fitted.best_estimator_[:-1].get_feature_names_out(feature_names), dtype=object)
        selected = np.flatnonzero(weights)
        grid_index, penalty_index = fitted.best_index_
        parameter, value = next(iter(fitted.best_params_.items()), ("", np.nan))
        table = searches[key].score_table(scores[key])
        metrics = {
            "representation": name,
            "repeat": split.repeat,
            "fold": split.fold,
            "n_train": len(split.train),
            "n_test": len(split.test),
            "deaths_test": int(y[y.dtype.names[0]][split.test].sum()),
            **(
                fold_metrics(y[split.train], y[split.test], risk, uno_tau)
                if groups is None
                else stratified_fold_metrics(y[split.test], risk, groups[split.test])
            ),
            "parameter": parameter.rsplit("__", 1)[-1],
            "parameter_value": value,
            "parameter_edge": _edge(grid_index, len(grid), ("lowest", "highest")),
            "penalty": fitted.best_path_value_,
            "penalty_index": penalty_index,
            "penalty_edge": _edge(penalty_index, fitted.path_length_, path.edges),
            "inner_c": fitted.best_score_,
            "inner_margin": inner_margin(table),
            "n_features": len(names),
            "n_selected": len(selected),
            "solver_warnings": len(warned[key]),
            "fit_seconds": round(sum(s.seconds for s in scores[key]) + time.perf_counter() - started, 3),
        }
        results.metrics.append(metrics)
        predicted = {"repeat": split.repeat, "fold": split.fold, "patient_id": patient_ids[split.test], "risk": risk}
        if groups is not None:
            predicted["group"] = groups[split.test]
        results.predictions.append(pd.DataFrame(predicted))
        results.coefficients.append(
            pd.DataFrame(
                {
                    "repeat": split.repeat,
                    "fold": split.fold,
                    "feature": names[selected],
                    "coefficient": weights[selected],
                }
            )
        )
        results.inner.append(inner_grid_table(split, scores[key], table, path.parameter, fitted.best_index_))
        for message in sorted(set(warned[key])):
            logger.warning("%s repeat %d fold %d: %s", name, split.repeat, split.fold, message)
        logger.info(
            "%s repeat %d fold %d: %s, %s=%s%s, %d features selected%s",
            name,
            split.repeat,
            split.fold,
            f"C={metrics['harrell_c']:.3f} (Uno {metrics['uno_c']:.3f})"
            if groups is None
            else f"stratified C={metrics['harrell_c']:.3f} (pairs within a type)",
            metrics["parameter"] or "-",
            value,
            f" ({metrics['parameter_edge']} of its grid)" if metrics["parameter_edge"] else "",
            len(selected),
            f", {len(warned[key])} solver warning(s)" if warned[key] else "",
        )
    order = {(s.repeat, s.fold): i for i, s in enumerate(splits)}
    permutation = np.argsort([order[(m["repeat"], m["fold"])] for m in results.metrics])
    results.metrics = [results.metrics[i] for i in permutation]
    results.predictions = [results.predictions[i] for i in permutation]
    results.coefficients = [results.coefficients[i] for i in permutation]
    results.inner = [results.inner[i] for i in permutation]
    return results


def stratified_fold_metrics(y_test, risk: np.ndarray, groups: np.ndarray) -> dict:
    """A pooled fold's metrics: the stratified Harrell's C (pairs within a group only); no Uno's C."""
    return {"harrell_c": harrell_cindex(y_test, risk, groups=groups), "uno_c": np.nan, "uno_tau_days": np.nan}


@contextmanager
def _solver_warnings(messages: list[str]):
    """Collect ConvergenceWarning messages raised inside (each occurrence), let other warnings through."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        yield
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            messages.append(str(warning.message))
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)


def inner_margin(table: np.ndarray) -> float:
    """How far the chosen inner score is above the best of every other grid point (NaN with a single point)."""
    finite = np.sort(table[np.isfinite(table)])
    return float(finite[-1] - finite[-2]) if len(finite) >= 2 else np.nan


def inner_grid_table(
    split: OuterSplit, results: list[GridPointScores], table: np.ndarray, path_parameter: str, chosen: tuple[int, int]
) -> pd.DataFrame:
    """Every grid value x path value of one outer fold: its inner score, and its validation C in each inner split."""
    rows = []
    for grid_index, result in enumerate(results):
        parameter, value = next(iter(result.params.items()), ("", np.nan))
        for path_index in range(table.shape[1]):
            split_values = [values[path_index] for values in result.split_values]
            row = {
                "repeat": split.repeat,
                "fold": split.fold,
                "parameter": parameter.rsplit("__", 1)[-1],
                "parameter_value": value,
                "path_index": path_index,
                "path_parameter": path_parameter,
                # shared by the splits, or each split's own (liblinear costs: alpha depends on the split's pairs)
                "path_value": result.values[path_index] if result.values is not None else np.mean(split_values),
                "inner_score": table[grid_index, path_index],
                "chosen": (grid_index, path_index) == tuple(chosen),
            }
            for inner, (c, size) in enumerate(zip(result.scores[:, path_index], result.sizes)):
                row[f"c_split{inner}"] = c
                row[f"n_split{inner}"] = int(size)
            rows.append(row)
    return pd.DataFrame(rows)
