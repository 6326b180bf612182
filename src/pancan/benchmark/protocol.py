"""The benchmark protocol: config -> settings -> the scikit-learn search every outer fold runs.

A notebook user reproduces a workflow fold with the same three calls the rule script makes:

    settings = BenchmarkSettings.from_config(yaml.safe_load(open("config/config.yaml")))
    search = benchmark_search("netnorm", settings, RepresentationContext(NetworkAdjacency(network.adjacency),
                                                                        aligned.n_network))
    search.set_params(random_state=settings.inner_seed_for(repeat, fold))
    risk = search.fit(aligned.X[train], y[train]).predict(aligned.X[test])
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields

import pandas as pd
from sklearn.pipeline import Pipeline

from pancan.benchmark.feature_steps import AsText, ColumnScaler, VarianceFilter, clinical_encoder
from pancan.config_schema import validate_workflow_config
from pancan.errors import InvalidParameterError
from pancan.models.path_search import PathSearchCV
from pancan.models.registry import MODELS, Model
from pancan.representations.registry import REGISTRY, Representation, RepresentationContext


@dataclass(frozen=True)
class BenchmarkSettings:
    """The benchmark section of a configuration, defaults filled from the schema, and the seed.

    The typed fields are what the engine reads in every job; `section` holds every key,
    among them the settings a representation or a model declares in its registry entry
    (its grid, its options), read by that entry alone.
    """

    model: str
    outer_folds: int
    inner_folds: int
    inner_seed: int | None
    inner_score: str
    folds_file: str
    max_features: int | None
    scale_features: bool
    uno_tau: dict
    section: dict = field(repr=False, compare=False)
    seed: int = 0

    @classmethod
    def from_config(cls, config: dict) -> BenchmarkSettings:
        """From a whole configuration (validated here, with defaults for every missing key)."""
        config = validate_workflow_config(copy.deepcopy(config), "configuration")
        return cls.from_benchmark(config["benchmark"], config["seed"])

    @classmethod
    def from_benchmark(cls, benchmark: dict, seed: int) -> BenchmarkSettings:
        """From a benchmark section, or the part of it a job receives: missing keys take their defaults."""
        config = validate_workflow_config({"benchmark": copy.deepcopy(dict(benchmark)), "seed": seed}, "benchmark")
        section = config["benchmark"]
        engine = {name: section[name] for name in ENGINE_KEYS}
        engine["max_features"] = engine["max_features"] or None
        return cls(**engine, section=section, seed=int(seed))

    @property
    def model_entry(self) -> Model:
        return MODELS[self.model]

    def path(self):
        """The path every search fits its model along (penalties, boosting stages)."""
        return self.model_entry.path(self)

    def inner_seed_for(self, repeat: int, fold: int) -> int:
        """Seed of the inner splits of one outer fold: inner_seed for every fold, or derived from seed and the fold."""
        return int(self.inner_seed) if self.inner_seed is not None else self.seed + 1000 * repeat + fold

    def model_estimator(self):
        return self.model_entry.build(self)


# the benchmark keys every evaluation job reads (the outer repeat is the job's own wildcard)
ENGINE_KEYS = tuple(f.name for f in fields(BenchmarkSettings) if f.name not in ("section", "seed"))


def job_setting_keys(representation: str, model: str) -> tuple[str, ...]:
    """Benchmark keys one evaluation job depends on: the engine's, its model's and its representation's.

    A job's parameters hold just these, so that editing another representation's grid or
    another model's options reruns nothing.
    """
    return ENGINE_KEYS + MODELS[model].settings + REGISTRY[representation].job_settings()


def representation_pipeline(
    entry: Representation | str,
    settings: BenchmarkSettings,
    context: RepresentationContext | None = None,
    clinical: pd.DataFrame | None = None,
) -> Pipeline:
    """representation -> variance filter (-> scaling) -> model; or, for clinical, encoder -> model."""
    entry = REGISTRY[entry] if isinstance(entry, str) else entry
    if entry.clinical:
        if clinical is None or clinical.shape[1] == 0:
            raise InvalidParameterError("the clinical model needs a table of covariates")
        steps = [("text", AsText()), ("encode", clinical_encoder(clinical))]
    else:
        if not entry.benchmarked:
            raise InvalidParameterError(f"representation {entry.name} is clustered by the stratification stage only")
        if context is None:
            raise InvalidParameterError(f"representation {entry.name} needs a RepresentationContext")
        if entry.adjacency and context.adjacency is None:
            raise InvalidParameterError(f"representation {entry.name} needs the {entry.network} network's adjacency")
        problem = entry.check(context, settings) if entry.check else None
        if problem:
            raise InvalidParameterError(problem)
        steps = [("representation", entry.build(context, settings)), ("filter", VarianceFilter(settings.max_features))]
        if settings.scale_features:
            steps.append(("scale", ColumnScaler()))
    steps.append(("model", settings.model_estimator()))
    return Pipeline(steps)


def benchmark_search(
    entry: Representation | str,
    settings: BenchmarkSettings,
    context: RepresentationContext | None = None,
    clinical: pd.DataFrame | None = None,
    random_state: int | None = None,
) -> PathSearchCV:
    """The PathSearchCV of one representation: its parameter grid x the penalty path, inner folds, scoring."""
    entry = REGISTRY[entry] if isinstance(entry, str) else entry
    grid = {f"representation__{entry.parameter}": entry.grid(settings)} if entry.parameter else {}
    path = settings.path()
    if entry.min_penalty_ratio is not None:
        path = path.extended_to(entry.min_penalty_ratio)
    return PathSearchCV(
        representation_pipeline(entry, settings, context, clinical),
        grid,
        path=path,
        cv=settings.inner_folds,
        inner_score=settings.inner_score,
        random_state=random_state,
    )
