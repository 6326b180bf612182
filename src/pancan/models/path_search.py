"""Grid search over a pipeline's parameter x the survival model's L1 penalty path, scored by Harrell's C.

`PathSearchCV` is what the benchmark runs inside every outer fold, and what a notebook
user runs to get the same numbers:

    search = PathSearchCV(Pipeline([("representation", NetNorM(adjacency, max_k=300)),
                                    ("model", SparseSurvivalSVM())]),
                          {"representation__k": [50, 100, 200, 300]},
                          penalties=RelativePenalties(n=6, min_ratio=0.05), cv=5, random_state=0)
    search.fit(X_train, y_train).predict(X_test)          # risk scores

Unlike GridSearchCV, each inner split fits the model along the whole penalty path with
warm starts (one path instead of one fit per penalty), and the transform steps are fitted
once per grid value and split. The final step must be a linear survival model with
`alpha_max(X, y)`, `path(X, y, alphas)` and `penalty_for(y, C)` (SparseSurvivalSVM,
SparseCoxnet). Scores are the inner validation Harrell's C; the chosen point is the first
maximum in the original NetNorM code's grid order: penalties outer (strongest first),
parameter values inner (in the order given).
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
from pancan.models.survival_svm import check_survival_target

INNER_SCORES = ("size_weighted", "mean")


@dataclass(frozen=True)
class RelativePenalties:
    """`n` penalties log-spaced from max_ratio x alpha_max down to min_ratio x alpha_max.

    alpha_max (every coefficient zero) is computed on the search's training set (after its
    transform steps); the same absolute penalties are then used in every inner split.
    max_ratio < 1 keeps the empty model out of the grid.
    """

    n: int = 6
    min_ratio: float = 0.05
    max_ratio: float = 0.9

    def __post_init__(self):
        if self.n < 1 or not 0 < self.min_ratio <= self.max_ratio <= 1:
            raise InvalidParameterError(
                f"relative penalties need n >= 1 and 0 < min_ratio <= max_ratio <= 1, got {self}"
            )

    def alphas(self, alpha_max: float) -> np.ndarray:
        return alpha_max * np.logspace(np.log10(self.max_ratio), np.log10(self.min_ratio), self.n)


@dataclass(frozen=True)
class CostPenalties:
    """The NetNorM paper's liblinear costs C, weakest penalty last; alpha = 1 / (C x comparable pairs) of each fit."""

    C: tuple[float, ...]

    def __post_init__(self):
        if not self.C or any(c <= 0 for c in self.C):
            raise InvalidParameterError(f"liblinear costs C must be positive, got {self.C}")
        object.__setattr__(self, "C", tuple(sorted(float(c) for c in self.C)))

    def alphas(self, model, y) -> np.ndarray:
        return np.array([model.penalty_for(y, C=c) for c in self.C])

    @property
    def n(self) -> int:
        return len(self.C)


@dataclass
class GridPointScores:
    """Inner cross-validation of one grid value: validation C (splits x penalties) and what the refit reuses."""

    params: dict
    scores: np.ndarray
    sizes: np.ndarray
    alphas: np.ndarray | None  # relative penalties: absolute alphas on the training set; costs: None
    transform: Pipeline | None = None  # transform steps fitted on the whole training set, if already done
    seconds: float = 0.0
    transformed: object = field(default=None, repr=False)  # and their output, when small enough to keep


@dataclass
class _Selection:
    grid_index: int
    penalty_index: int
    score: float
    scores: np.ndarray = field(repr=False)


# The whole training set's transform (computed for alpha_max) is kept for the refit up to this
# size per grid value and outer fold (NSQN after the variance filter: about 6 MB on BRCA; with
# every feature 62 MB, transformed again instead): at most 15 of them live in a default job.
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


class PathSearchCV(BaseEstimator):
    """Choose a pipeline parameter and the L1 penalty by inner cross-validation (see module docstring).

    Parameters
    ----------
    estimator : Pipeline whose last step is the path-capable survival model.
    param_grid : dict of pipeline parameter -> values (may be empty: penalty only).
    penalties : RelativePenalties or CostPenalties.
    cv : number of inner folds (StratifiedKFold on the event, shuffled with random_state)
        or a splitter with split(X, event).
    inner_score : "size_weighted" (mean of the validation C weighted by validation size, as
        the original code's GridSearchCV(iid=True)) or "mean".
    random_state : seed of the inner splits.
    """

    def __init__(
        self,
        estimator=None,
        param_grid=None,
        penalties=None,
        cv=5,
        inner_score: str = "size_weighted",
        random_state=None,
    ):
        self.estimator = estimator
        self.param_grid = param_grid
        self.penalties = penalties
        self.cv = cv
        self.inner_score = inner_score
        self.random_state = random_state

    # -- pieces the nested cross-validation calls in grid-major order ---------------------------------------
    def grid(self) -> list[dict]:
        return list(ParameterGrid(self.param_grid or {}))

    def _penalties(self):
        return self.penalties if self.penalties is not None else RelativePenalties()

    def _splitter(self):
        if isinstance(self.cv, (int, np.integer)):
            return StratifiedKFold(n_splits=int(self.cv), shuffle=True, random_state=self.random_state)
        return self.cv

    def evaluate(self, params: dict, X, y) -> GridPointScores:
        """Validation Harrell's C of every penalty for one grid value, over the inner splits of (X, y)."""
        started = time.perf_counter()
        if self.inner_score not in INNER_SCORES:
            raise InvalidParameterError(f"inner_score must be one of {INNER_SCORES}, got {self.inner_score!r}")
        y = check_survival_target(X, y)
        pipeline = clone(self.estimator).set_params(**params)
        penalties = self._penalties()
        alphas, transform, transformed = None, None, None
        if isinstance(penalties, RelativePenalties):
            transform = pipeline[:-1]
            transformed = transform.fit_transform(X, y)
            alphas = penalties.alphas(pipeline[-1].alpha_max(transformed, y))
            if _nbytes(transformed) > _KEEP_TRANSFORMED_BYTES:
                transformed = None  # the refit transforms again rather than hold it
        event_field = y.dtype.names[0]
        scores, sizes = [], []
        for train, valid in self._splitter().split(np.zeros((len(y), 1)), y[event_field]):
            steps = clone(pipeline[:-1])
            X_train = steps.fit_transform(take_rows(X, train), y[train])
            X_valid = steps.transform(take_rows(X, valid))
            model = clone(pipeline[-1])
            fold_alphas = alphas if alphas is not None else penalties.alphas(model, y[train])
            coefs = model.path(X_train, y[train], fold_alphas)
            risk = X_valid @ coefs
            scores.append(harrell_cindex(y[valid], np.asarray(risk.toarray() if sp.issparse(risk) else risk)))
            sizes.append(len(valid))
        return GridPointScores(
            params,
            np.vstack(scores),
            np.asarray(sizes, dtype=float),
            alphas,
            transform,
            time.perf_counter() - started,
            transformed,
        )

    def select(self, results: list[GridPointScores]) -> _Selection:
        """First maximum of the inner score, penalties outer (strongest first), grid values inner."""
        table = np.vstack([self._score(result) for result in results])  # grid values x penalties
        order = table.T.ravel()  # penalty-major
        if not np.isfinite(order).any():
            return _Selection(0, 0, float("nan"), table)
        flat = int(np.nanargmax(order))
        penalty_index, grid_index = divmod(flat, table.shape[0])
        return _Selection(grid_index, penalty_index, float(table[grid_index, penalty_index]), table)

    def _score(self, result: GridPointScores) -> np.ndarray:
        scores = np.ma.masked_invalid(result.scores)
        weights = result.sizes[:, None] if self.inner_score == "size_weighted" else np.ones((len(result.sizes), 1))
        weights = np.broadcast_to(weights, scores.shape)
        mean = np.ma.average(scores, axis=0, weights=weights)
        return np.ma.filled(mean.astype(float), np.nan)

    def refit(self, results: list[GridPointScores], X, y) -> PathSearchCV:
        """Refit the chosen (grid value, penalty) on all of (X, y), warm-started along the penalties up to it."""
        y = check_survival_target(X, y)
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
        alphas = result.alphas if result.alphas is not None else self._penalties().alphas(model, y)
        coefs = model.path(X_train, y, alphas[: chosen.penalty_index + 1])
        params = {"alpha": float(alphas[chosen.penalty_index])}
        if "C" in model.get_params():
            params["C"] = None
        model.set_params(**params)
        model.coef_ = coefs[:, -1]
        self.best_estimator_ = Pipeline([*transform.steps, (pipeline.steps[-1][0], model)])
        self.best_params_ = dict(result.params)
        self.best_index_ = (chosen.grid_index, chosen.penalty_index)
        self.best_score_ = chosen.score
        self.best_alpha_ = params["alpha"]
        self.n_penalties_ = len(alphas)
        self.cv_results_ = self._cv_results(results, chosen.scores)
        self.n_features_in_ = getattr(self.best_estimator_, "n_features_in_", None)
        return self

    def _cv_results(self, results: list[GridPointScores], table: np.ndarray) -> dict:
        rows = {"params": [], "penalty_index": [], "alpha": [], "mean_test_score": [], "fit_seconds": []}
        costs = getattr(self._penalties(), "C", None)
        for grid_index, result in enumerate(results):
            for penalty_index in range(table.shape[1]):
                rows["params"].append(result.params)
                rows["penalty_index"].append(penalty_index)
                rows["alpha"].append(np.nan if result.alphas is None else float(result.alphas[penalty_index]))
                rows["mean_test_score"].append(float(table[grid_index, penalty_index]))
                rows["fit_seconds"].append(result.seconds)
        if costs is not None:
            rows["C"] = [costs[i] for i in rows["penalty_index"]]
        return {key: np.asarray(values, dtype=object if key == "params" else None) for key, values in rows.items()}

    # -- the estimator API ---------------------------------------------------------------------------------------
    def fit(self, X, y):
        """Inner cross-validation over the grid, then refit of the best point on all of (X, y)."""
        return self.refit([self.evaluate(params, X, y) for params in self.grid()], X, y)

    def predict(self, X):
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict(X)

    def score(self, X, y):
        return harrell_cindex(check_survival_target(X, y), self.predict(X))
