"""The values a model is fitted along, warm-started, inside each inner split: its path.

A path is one model parameter whose whole sequence of values costs about one fit: the
L1 penalty of the linear models (strongest first, each solve warm-started from the
previous one) or the number of boosting stages (one fit, predictions after each stage).
`PathSearchCV` asks the path for its values, the model for its predictions along them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pancan.errors import InvalidParameterError


@dataclass(frozen=True)
class RelativePenalties:
    """`n` L1 penalties log-spaced from max_ratio x alpha_max down to min_ratio x alpha_max.

    alpha_max (every coefficient zero) is computed on the search's training set (after its
    transform steps); the same absolute penalties are then used in every inner split.
    max_ratio < 1 keeps the empty model out of the grid.
    """

    n: int = 6
    min_ratio: float = 0.05
    max_ratio: float = 0.9

    parameter = "alpha"
    edges = ("strongest", "weakest")
    needs_training_set = True  # values from the whole training set, shared by the inner splits

    def __post_init__(self):
        if self.n < 1 or not 0 < self.min_ratio <= self.max_ratio <= 1:
            raise InvalidParameterError(
                f"relative penalties need n >= 1 and 0 < min_ratio <= max_ratio <= 1, got {self}"
            )

    def values(self, model, X, y, **fit_params) -> np.ndarray:
        return self.alphas(model.alpha_max(X, y, **fit_params))

    def alphas(self, alpha_max: float) -> np.ndarray:
        return alpha_max * np.logspace(np.log10(self.max_ratio), np.log10(self.min_ratio), self.n)

    def extended_to(self, min_ratio: float) -> RelativePenalties:
        """The same density of penalties per decade, continued down to `min_ratio` (never shortened)."""
        if min_ratio >= self.min_ratio:
            return self
        decades = np.log10(self.max_ratio / self.min_ratio)
        extra = np.log10(self.min_ratio / min_ratio)
        added = max(0, round(extra * (self.n - 1) / max(decades, 1e-9)))
        return RelativePenalties(self.n + added, min_ratio, self.max_ratio)

    def describe(self) -> str:
        return f"{self.n} penalties from {self.max_ratio:g} to {self.min_ratio:g} x alpha_max"


@dataclass(frozen=True)
class CostPenalties:
    """The NetNorM paper's liblinear costs C, weakest penalty last; alpha = 1 / (C x comparable pairs) of each fit."""

    C: tuple[float, ...]

    parameter = "alpha"
    edges = ("strongest", "weakest")
    needs_training_set = False  # alpha depends on the pairs of each fit's own training rows

    def __post_init__(self):
        if not self.C or any(c <= 0 for c in self.C):
            raise InvalidParameterError(f"liblinear costs C must be positive, got {self.C}")
        object.__setattr__(self, "C", tuple(sorted(float(c) for c in self.C)))

    def values(self, model, X, y, **fit_params) -> np.ndarray:
        unit = model.penalty_for(
            y, C=1.0, **fit_params
        )  # alpha is inversely proportional to C: the pairs are counted once
        return np.array([unit / c for c in self.C])

    def extended_to(self, min_ratio: float) -> CostPenalties:
        return self  # explicit costs are the user's

    def describe(self) -> str:
        return f"liblinear costs C = {', '.join(f'{c:g}' for c in self.C)}"

    @property
    def n(self) -> int:
        return len(self.C)


@dataclass(frozen=True)
class Stages:
    """Numbers of boosting stages: one fit with the most, predictions after each listed stage."""

    stages: tuple[int, ...]

    parameter = "n_estimators"
    edges = ("fewest", "most")
    needs_training_set = False

    def __post_init__(self):
        if not self.stages or any(int(s) != s or s < 1 for s in self.stages):
            raise InvalidParameterError(f"boosting stages must be positive integers, got {self.stages}")
        object.__setattr__(self, "stages", tuple(sorted({int(s) for s in self.stages})))

    def values(self, model, X, y, **fit_params) -> np.ndarray:
        return np.asarray(self.stages, dtype=float)

    def extended_to(self, min_ratio: float) -> Stages:
        return self

    def describe(self) -> str:
        return f"{', '.join(map(str, self.stages))} boosting stages"

    @property
    def n(self) -> int:
        return len(self.stages)
