"""The survival models the benchmark can fit, each declared once.

An entry says how to build the model from the benchmark settings, which path the search
fits it along (penalties, boosting stages), which benchmark settings it reads (a job's
parameters: editing another model's settings reruns nothing) and the schema of the
settings it introduces. The config schema, the jobs' parameters, the engine and the
report read this table. Adding a model is one entry plus its estimator:

    MODELS.add(Model(
        name="my_model", label="my model",
        build=lambda settings: MyEstimator(depth=settings.section["my_model"]["depth"]),
        path=lambda settings: Stages(tuple(settings.section["my_model"]["stages"])),
        settings=("my_model",),
        declares={"my_model": {"type": "object", "default": {}, "properties": {...}}}))

The estimator follows scikit-learn's API, takes a scikit-survival structured target,
predicts risk scores and implements `path_predict` and `fit_path` (see `path_model`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pancan.errors import InvalidParameterError
from pancan.models.paths import CostPenalties, RelativePenalties, Stages


@dataclass(frozen=True)
class Model:
    """One survival model (see the module docstring)."""

    name: str
    label: str
    build: Callable[[object], object]  # settings -> unfitted estimator
    path: Callable[[object], RelativePenalties | CostPenalties | Stages]  # settings -> path it is fitted along
    settings: tuple[str, ...] = ()  # benchmark settings it reads
    declares: dict[str, dict] = field(default_factory=dict)  # schema of the settings it introduces
    check: Callable[[dict], list[tuple[str, str]]] | None = None  # benchmark section -> (key, problem)
    sparse_coefficients: bool = True  # a linear model with L1-selected coefficients (else: importances)
    # its fit takes groups= and compares patients within a group only (the pooled analysis needs it)
    strata: bool = False
    description: str = ""


@dataclass
class ModelRegistry:
    entries: dict[str, Model] = field(default_factory=dict)
    declared: dict[str, dict] = field(default_factory=dict)  # benchmark key -> schema, over every entry

    def add(self, entry: Model) -> Model:
        if entry.name in self.entries:
            raise ValueError(f"model {entry.name!r} is declared twice")
        for key, schema in entry.declares.items():
            if key in self.declared and self.declared[key] != schema:
                raise ValueError(f"model setting {key!r} is declared twice, differently")
            self.declared[key] = schema
        undeclared = [key for key in entry.settings if key not in self.declared]
        if undeclared:
            raise ValueError(f"model {entry.name!r} reads undeclared setting(s) {undeclared}")
        self.entries[entry.name] = entry
        return entry

    def __getitem__(self, name: str) -> Model:
        try:
            return self.entries[name]
        except KeyError:
            raise InvalidParameterError(f"unknown model {name!r}; known: {', '.join(self.entries)}") from None

    def __iter__(self) -> Iterator[Model]:
        return iter(self.entries.values())

    def names(self) -> list[str]:
        return list(self.entries)


def _relative_penalties(section: dict) -> RelativePenalties:
    penalties = section["penalties"]
    return RelativePenalties(penalties["n"], penalties["min_ratio"], penalties["max_ratio"])


def _penalty_path(settings) -> RelativePenalties | CostPenalties:
    costs = settings.section["penalties"]["C"]
    return CostPenalties(tuple(costs)) if costs else _relative_penalties(settings.section)


def _check_relative_penalties(section: dict) -> list[tuple[str, str]]:
    penalties = section["penalties"]
    if not penalties["C"] and penalties["min_ratio"] > penalties["max_ratio"]:
        return [
            (
                "benchmark.penalties.min_ratio",
                f"{penalties['min_ratio']} must not exceed benchmark.penalties.max_ratio ({penalties['max_ratio']})",
            )
        ]
    return []


def _check_cox(section: dict) -> list[tuple[str, str]]:
    problems = _check_relative_penalties(section)
    if section["penalties"]["C"]:
        problems.append(
            (
                "benchmark.penalties.C",
                f"liblinear costs apply to model survival_svm only, not {section['model']}: "
                "set benchmark.penalties.C: [] (the relative path n / min_ratio / max_ratio is used)",
            )
        )
    return problems


PENALTIES_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "default": {},
    "properties": {
        "n": {
            "type": "integer",
            "minimum": 1,
            "default": 6,
            "description": "Number of L1 penalties on the relative path.",
        },
        "min_ratio": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 1,
            "default": 0.05,
            "description": "Smallest penalty of the relative path as a fraction of alpha_max (every coefficient zero).",
        },
        "max_ratio": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 1,
            "default": 0.9,
            "description": "Largest penalty of the relative path as a fraction of alpha_max; below 1 keeps the empty "
            "model (no feature, C = 0.5) out of the grid: at 1, mutation_count chose it in 30% of folds.",
        },
        "C": {
            "type": "array",
            "items": {"type": "number", "exclusiveMinimum": 0},
            "default": [],
            "description": "The paper's liblinear costs instead of the relative path (objective ||w||_1 + C x sum of "
            "squared hinges over comparable pairs; alpha = 1 / (C x pairs)), e.g. [0.0005, 0.00075, 0.001, 0.0025, "
            "0.005]; survival_svm only.",
        },
    },
}

SOLVER_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "default": {},
    "properties": {
        "tol": {
            "type": "number",
            "exclusiveMinimum": 0,
            "default": 1.0e-6,
            "description": "Survival SVM relative duality gap at which a solve stops.",
        },
        "max_iter": {
            "type": "integer",
            "minimum": 1,
            "default": 100,
            "description": "Survival SVM working-set rounds per penalty (a warning names the gap if reached).",
        },
    },
}

L1_RATIO_SCHEMA = {
    "type": "number",
    "exclusiveMinimum": 0,
    "maximum": 1,
    "default": 0.5,
    "description": "Elastic-net mixing for cox_elastic_net.",
}

BOOSTING_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "default": {},
    "properties": {
        "stages": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1},
            "minItems": 1,
            "uniqueItems": True,
            "default": [25, 50, 100, 200],
            "description": "Numbers of boosting stages searched (one fit with the most, predictions after each).",
        },
        "learning_rate": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 1,
            "default": 0.1,
            "description": "Shrinkage of each stage.",
        },
        "max_depth": {"type": "integer", "minimum": 1, "default": 3, "description": "Depth of each regression tree."},
        "subsample": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 1,
            "default": 1.0,
            "description": "Fraction of the training patients each stage is fitted on (below 1: stochastic, seeded).",
        },
    },
}


def _survival_svm(settings):
    from pancan.models.survival_svm import SparseSurvivalSVM

    solver = settings.section["solver"]
    return SparseSurvivalSVM(tol=solver["tol"], max_iter=solver["max_iter"])


def _coxnet(l1_ratio: Callable[[object], float]):
    def build(settings):
        from pancan.models.coxnet import SparseCoxnet

        return SparseCoxnet(l1_ratio=l1_ratio(settings))

    return build


def _boosting(settings):
    from pancan.models.boosting import BoostedCox

    options = settings.section["boosting"]
    return BoostedCox(
        learning_rate=options["learning_rate"],
        max_depth=options["max_depth"],
        subsample=options["subsample"],
        random_state=settings.seed,
    )


MODELS = ModelRegistry()
MODELS.add(
    Model(
        "survival_svm",
        "L1 ranking survival SVM",
        _survival_svm,
        _penalty_path,
        settings=("penalties", "solver"),
        declares={"penalties": PENALTIES_SCHEMA, "solver": SOLVER_SCHEMA},
        check=_check_relative_penalties,
        strata=True,
        description="the NetNorM paper's model: squared hinge on comparable pairs, L1 penalty, no intercept",
    )
)
MODELS.add(
    Model(
        "cox_lasso",
        "Cox lasso",
        _coxnet(lambda settings: 1.0),
        lambda settings: _relative_penalties(settings.section),
        settings=("penalties",),
        check=_check_cox,
        description="scikit-survival's Coxnet with an L1 penalty",
    )
)
MODELS.add(
    Model(
        "cox_elastic_net",
        "Cox elastic net",
        _coxnet(lambda settings: settings.section["l1_ratio"]),
        lambda settings: _relative_penalties(settings.section),
        settings=("penalties", "l1_ratio"),
        declares={"l1_ratio": L1_RATIO_SCHEMA},
        check=_check_cox,
        description="scikit-survival's Coxnet with an elastic-net penalty (l1_ratio)",
    )
)
MODELS.add(
    Model(
        "gradient_boosting",
        "gradient-boosted Cox trees",
        _boosting,
        lambda settings: Stages(tuple(settings.section["boosting"]["stages"])),
        settings=("boosting",),
        declares={"boosting": BOOSTING_SCHEMA},
        sparse_coefficients=False,
        description="scikit-survival's GradientBoostingSurvivalAnalysis (Cox loss, regression trees): a non-linear "
        "comparison model; its path is the number of stages",
    )
)
