"""Grid search over a pipeline's parameter x the survival model's path, scored by Harrell's C.

`PathSearchCV` is what the benchmark runs inside every outer fold, and what a notebook
user runs to get the same numbers:

    search = PathSearchCV(Pipeline([("representation", NetNorM(adjacency, max_k=300)),
                                    ("model", SparseSurvivalSVM())]),
                          {"representation__k": [50, 100, 200, 300]},
                          path=RelativePenalties(n=6, min_ratio=0.05), cv=5, random_state=0)
    search.fit(X_train, y_train).predict(X_test)          # risk scores

Unlike GridSearchCV, each inner split fits the model along its whole path at once (the L1
penalties with warm starts, or the stages of a boosted model: `pancan.models.paths`), and
the transform steps are fitted once per grid value and split. The final step implements
`path_predict` and `fit_path` (`pancan.models.path_model`). Scores are the inner validation
Harrell's C; the chosen point is the first maximum in the original NetNorM code's grid
order: path values outer (strongest penalty first), parameter values inner (in the order
given).

`fit(X, y, groups=...)` (one label per patient, e.g. the cancer type of a pooled cohort)
compares patients within a group only: the model is fitted with its stratified loss (a
model whose `accepts_groups` is true; others are refused), the inner folds are stratified
on group x event, and the inner score is the stratified C (concordant pairs within groups /
comparable pairs within groups). The transform steps are fitted on the pooled rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import ParameterGrid, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from pancan.errors import InvalidParameterError
from pancan.models.pairs import harrell_cindex
from pancan.models.paths import CostPenalties, RelativePenalties, Stages
from pancan.models.survival_svm import check_groups, check_survival_target

__all__ = [
    "CostPenalties",
    "GridPointScores",
    "PathSearchCV",
    "RelativePenalties",
    "Stages",
    "stratification_labels",
    "take_rows",
]
INNER_SCORES = ("size_weighted", "mean")


@dataclass
class GridPointScores:
    """Inner cross-validation of one grid value: validation C (splits x path values) and what the refit reuses."""

    params: dict
    scores: np.ndarray
    sizes: np.ndarray
    values: np.ndarray | None  # path values shared by the splits (from the whole training set), else None
    transform: Pipeline | None = None  # transform steps fitted on the whole training set, if already done
    seconds: float = 0.0
    transformed: object = field(default=None, repr=False)  # and their output, when small enough to keep
    split_values: list[np.ndarray] = field(default_factory=list, repr=False)  # each split's path values
    # each split's solutions (names of the features non-zero on the path, sparse those features x path values),
    # to warm-start the next grid value
    split_solutions: list[tuple[np.ndarray, sp.csc_matrix] | None] = field(default_factory=list, repr=False)


@dataclass
class _Selection:
    grid_index: int
    penalty_index: int
    score: float
    scores: np.ndarray = field(repr=False)


# The whole training set's transform (computed for alpha_max) is kept for the refit up to this
# size per grid value (NSQN after the variance filter: about 6 MB on BRCA; with every feature
# 62 MB, transformed again instead), unless the caller asks not to keep it (`keep_transformed`).
_KEEP_TRANSFORMED_BYTES = 8 * 2**20


def _nbytes(X) -> int:
    if sp.issparse(X):
        return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    return int(getattr(X, "nbytes", 0)) if not isinstance(X, pd.DataFrame) else int(X.memory_usage(deep=False).sum())


def take_rows(X, rows: np.ndarray):
    """Row subset of a sparse matrix, array or DataFrame."""
    if isinstance(X, pd.DataFrame):
        return X.iloc[rows]
    return X[rows]


def stratification_labels(event: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
    """The labels folds are stratified on: the event, or group x event (one integer per combination)."""
    event = np.asarray(event, dtype=bool).astype(np.int64)
    if groups is None:
        return event
    codes = np.unique(np.asarray(groups), return_inverse=True)[1].ravel().astype(np.int64)
    return 2 * codes + event


def check_model_groups(model, groups) -> dict:
    """The fit parameters passing `groups` to the model: {} without groups; a model without strata is refused."""
    if groups is None:
        return {}
    if not getattr(model, "accepts_groups", False):
        raise InvalidParameterError(
            f"{type(model).__name__} cannot restrict its comparable pairs to groups (it has no strata): a pooled fit, "
            "where only patients of the same cancer type are compared, needs a model with a stratified loss "
            "(survival_svm)"
        )
    return {"groups": groups}


def _feature_names(steps: Pipeline) -> np.ndarray | None:
    """The transform steps' output column names, None when a step cannot name them (no warm starts then)."""
    try:
        return np.asarray(steps.get_feature_names_out(), dtype=object)
    except (AttributeError, TypeError, ValueError):
        return None


def _support_solutions(coefs: sp.spmatrix | None, names: np.ndarray | None) -> tuple | None:
    """One split's solutions kept for the next grid value: only the rows of features that are non-zero somewhere
    on the path, with their names (every other feature's guess is 0 anyway). A search keeps these for every grid
    value and split: holding the whole transform's names each time would grow with the grid and the outer folds."""
    if coefs is None or names is None:
        return None
    coefs = sp.csc_matrix(coefs)
    rows = np.unique(coefs.nonzero()[0])
    return names[rows], sp.csc_matrix(coefs[rows])


def _aligned_guesses(previous: GridPointScores | None, split: int, names: np.ndarray) -> np.ndarray | None:
    """The previous grid value's solutions of one inner split, on this transform's columns (matched by name)."""
    if previous is None or split >= len(previous.split_solutions) or previous.split_solutions[split] is None:
        return None
    old_names, coefs = previous.split_solutions[split]
    position = pd.Index(old_names).get_indexer(names)
    found = position >= 0
    guesses = np.zeros((len(names), coefs.shape[1]))
    guesses[found] = coefs[position[found]].toarray()
    return guesses


class PathSearchCV(BaseEstimator):
    """Choose a pipeline parameter and a point of the model's path by inner cross-validation (module docstring).

    Parameters
    ----------
    estimator : Pipeline whose last step is a path-capable survival model.
    param_grid : dict of pipeline parameter -> values (may be empty: the path only).
    path : RelativePenalties, CostPenalties or Stages (default: RelativePenalties()).
    cv : number of inner folds (StratifiedKFold on the event, shuffled with random_state)
        or a splitter with split(X, event).
    inner_score : "size_weighted" (mean of the validation C weighted by validation size, as
        the original code's GridSearchCV(iid=True)) or "mean".
    random_state : seed of the inner splits.

    After fit: best_estimator_, best_params_, best_index_ (grid, path position), best_score_,
    best_path_value_ (the chosen penalty alpha, or number of stages), path_length_, cv_results_.
    """

    def __init__(
        self,
        estimator=None,
        param_grid=None,
        path=None,
        cv=5,
        inner_score: str = "size_weighted",
        random_state=None,
    ):
        self.estimator = estimator
        self.param_grid = param_grid
        self.path = path
        self.cv = cv
        self.inner_score = inner_score
        self.random_state = random_state

    # -- pieces the nested cross-validation calls in grid-major order ---------------------------------------
    def grid(self) -> list[dict]:
        return list(ParameterGrid(self.param_grid or {}))

    def resolved_path(self):
        """The path given, or the default relative penalties."""
        return self.path if self.path is not None else RelativePenalties()

    def _splitter(self):
        if isinstance(self.cv, (int, np.integer)):
            return StratifiedKFold(n_splits=int(self.cv), shuffle=True, random_state=self.random_state)
        return self.cv

    def evaluate(
        self,
        params: dict,
        X,
        y,
        previous: GridPointScores | None = None,
        groups=None,
        keep_transformed: bool = True,
    ) -> GridPointScores:
        """Validation Harrell's C at every point of the path for one grid value, over the inner splits of (X, y).

        `previous`, the evaluation of the grid value before it on the same (X, y), gives each
        split's solver its solutions as starting guesses (a neighbouring k's coefficients are
        close): only the starts change, not the optima. `groups`: pairs within a group only
        (fit, inner folds stratified on group x event, stratified validation C).
        `keep_transformed=False`: the refit transforms the training set again rather than
        reuse the one computed here (for a caller holding the evaluations of many training
        sets at once, as the nested cross-validation does for every outer fold).
        """
        started = time.perf_counter()
        if self.inner_score not in INNER_SCORES:
            raise InvalidParameterError(f"inner_score must be one of {INNER_SCORES}, got {self.inner_score!r}")
        y = check_survival_target(X, y)
        groups = check_groups(groups, len(y))
        pipeline = clone(self.estimator).set_params(**params)
        fit_params = check_model_groups(pipeline[-1], groups)
        path = self.resolved_path()
        values, transform, transformed = None, None, None
        if path.needs_training_set:
            transform = pipeline[:-1]
            transformed = transform.fit_transform(X, y)
            values = path.values(pipeline[-1], transformed, y, **fit_params)
            if not keep_transformed or _nbytes(transformed) > _KEEP_TRANSFORMED_BYTES:
                transformed = None  # the refit transforms again rather than hold it
        event_field = y.dtype.names[0]
        scores, sizes, split_values, solutions = [], [], [], []
        strata = stratification_labels(y[event_field], groups)
        splits = self._splitter().split(np.zeros((len(y), 1)), strata)
        for index, (train, valid) in enumerate(splits):
            steps = clone(pipeline[:-1])
            X_train = steps.fit_transform(take_rows(X, train), y[train])
            X_valid = steps.transform(take_rows(X, valid))
            model = clone(pipeline[-1])
            train_params = {"groups": groups[train]} if fit_params else {}
            fold_values = values if values is not None else path.values(model, X_train, y[train], **train_params)
            names = _feature_names(steps)
            guesses = _aligned_guesses(previous, index, names) if names is not None else None
            risk = model.path_predict(X_train, y[train], fold_values, X_valid, guesses=guesses, **train_params)
            solutions.append(_support_solutions(getattr(model, "path_coefs_", None), names))
            valid_groups = None if groups is None else groups[valid]
            concordance = np.atleast_1d(harrell_cindex(y[valid], risk, groups=valid_groups)).astype(float)
            concordance[~np.isfinite(risk).all(axis=0)] = np.nan  # a path value the model could not fit
            scores.append(concordance)
            sizes.append(len(valid))
            split_values.append(np.asarray(fold_values, dtype=float))
        return GridPointScores(
            params,
            np.vstack(scores),
            np.asarray(sizes, dtype=float),
            values,
            transform,
            time.perf_counter() - started,
            transformed,
            split_values,
            solutions,
        )

    def select(self, results: list[GridPointScores]) -> _Selection:
        """First maximum of the inner score, path values outer (strongest penalty first), grid values inner."""
        table = self.score_table(results)  # grid values x path values
        order = table.T.ravel()  # path-major
        if not np.isfinite(order).any():
            return _Selection(0, 0, float("nan"), table)
        flat = int(np.nanargmax(order))
        penalty_index, grid_index = divmod(flat, table.shape[0])
        return _Selection(grid_index, penalty_index, float(table[grid_index, penalty_index]), table)

    def score_table(self, results: list[GridPointScores]) -> np.ndarray:
        """Inner score of every grid value (rows) and path value (columns); NaN where no split could be scored."""
        return np.vstack([self._score(result) for result in results])

    def _score(self, result: GridPointScores) -> np.ndarray:
        scores = np.ma.masked_invalid(result.scores)
        weights = result.sizes[:, None] if self.inner_score == "size_weighted" else np.ones((len(result.sizes), 1))
        weights = np.broadcast_to(weights, scores.shape)
        mean = np.ma.average(scores, axis=0, weights=weights)
        return np.ma.filled(mean.astype(float), np.nan)

    def refit(self, results: list[GridPointScores], X, y, groups=None) -> PathSearchCV:
        """Refit the chosen (grid value, path value) on all of (X, y), along the path up to it (pairs within
        `groups` when given)."""
        y = check_survival_target(X, y)
        groups = check_groups(groups, len(y))
        chosen = self.select(results)
        result = results[chosen.grid_index]
        pipeline = clone(self.estimator).set_params(**result.params)
        if result.transform is not None:
            transform = result.transform
            reusable = result.transformed is not None and result.transformed.shape[0] == len(y)
            X_train = result.transformed if reusable else transform.transform(X)
        else:
            transform = pipeline[:-1]
            X_train = transform.fit_transform(X, y)
        model = pipeline[-1]
        fit_params = check_model_groups(model, groups)
        path = self.resolved_path()
        values = result.values if result.values is not None else path.values(model, X_train, y, **fit_params)
        model.fit_path(X_train, y, values[: chosen.penalty_index + 1], **fit_params)
        self.best_estimator_ = Pipeline([*transform.steps, (pipeline.steps[-1][0], model)])
        self.best_params_ = dict(result.params)
        self.best_index_ = (chosen.grid_index, chosen.penalty_index)
        self.best_score_ = chosen.score
        self.best_path_value_ = float(model.get_params()[path.parameter])
        self.path_length_ = len(values)
        self.cv_results_ = self._cv_results(results, chosen.scores)
        self.n_features_in_ = getattr(self.best_estimator_, "n_features_in_", None)
        return self

    def _cv_results(self, results: list[GridPointScores], table: np.ndarray) -> dict:
        path = self.resolved_path()
        rows = {"params": [], "path_index": [], path.parameter: [], "mean_test_score": [], "fit_seconds": []}
        costs = getattr(path, "C", None)
        for grid_index, result in enumerate(results):
            for path_index in range(table.shape[1]):
                rows["params"].append(result.params)
                rows["path_index"].append(path_index)
                rows[path.parameter].append(np.nan if result.values is None else float(result.values[path_index]))
                rows["mean_test_score"].append(float(table[grid_index, path_index]))
                rows["fit_seconds"].append(result.seconds)
        if costs is not None:
            rows["C"] = [costs[i] for i in rows["path_index"]]
        return {key: np.asarray(values, dtype=object if key == "params" else None) for key, values in rows.items()}

    # -- the estimator API ---------------------------------------------------------------------------------------
    def fit(self, X, y, groups=None):
        """Inner cross-validation over the grid (each grid value warm-started from the one before), then refit of
        the best point on all of (X, y). `groups` (e.g. cancer types): patients are compared within a group only."""
        results: list[GridPointScores] = []
        for params in self.grid():
            results.append(self.evaluate(params, X, y, previous=results[-1] if results else None, groups=groups))
        return self.refit(results, X, y, groups=groups)

    def predict(self, X):
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict(X)

    def score(self, X, y, groups=None):
        """Harrell's C of the predicted risks (stratified: within each group, with `groups`)."""
        y = check_survival_target(X, y)
        return harrell_cindex(y, self.predict(X), groups=check_groups(groups, len(y)))
