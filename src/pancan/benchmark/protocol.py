"""The benchmark protocol: config -> settings -> the scikit-learn search every outer fold runs.

A notebook user reproduces a workflow fold with the same three calls the rule script makes:

    settings = BenchmarkSettings.from_config(yaml.safe_load(open("config/config.yaml")))
    search = benchmark_search("netnorm", settings, RepresentationContext(NetworkAdjacency(network.adjacency),
                                                                        aligned.n_network))
    search.set_params(random_state=settings.inner_seed_for(repeat, fold))
    risk = search.fit(aligned.X[train], y[train]).predict(aligned.X[test])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from pancan.benchmark.feature_steps import AsText, ColumnScaler, VarianceFilter, clinical_encoder
from pancan.errors import InvalidParameterError
from pancan.models.coxnet import SparseCoxnet
from pancan.models.path_search import CostPenalties, PathSearchCV, RelativePenalties
from pancan.models.survival_svm import SparseSurvivalSVM
from pancan.representations.registry import REGISTRY, Representation, RepresentationContext

MODELS = ("survival_svm", "cox_lasso", "cox_elastic_net")
# settings every evaluation job reads; a representation's own ones come from the registry
SHARED_SETTINGS = (
    "model",
    "l1_ratio",
    "outer_folds",
    "inner_folds",
    "inner_seed",
    "inner_score",
    "folds_file",
    "max_features",
    "scale_features",
    "penalties",
    "solver",
    "uno_tau",
)


@dataclass(frozen=True)
class BenchmarkSettings:
    """Everything the nested cross-validation needs, read from the config's `benchmark` section and `seed`."""

    model: str = "survival_svm"
    l1_ratio: float = 0.5
    outer_folds: int = 5
    outer_repeats: int = 4
    inner_folds: int = 5
    inner_seed: int | None = None
    inner_score: str = "size_weighted"
    penalties: RelativePenalties | CostPenalties = field(default_factory=RelativePenalties)
    solver_tol: float = 1e-6
    solver_max_iter: int = 100
    max_features: int | None = 2000
    scale_features: bool = False
    netnorm_k: tuple[int, ...] = (10, 30, 100, 300)
    netnorm_tie_break: str = "original"
    smoothing_alpha: tuple[float, ...] = (0.3, 0.6, 0.9)
    smoothing_normalization: str = "symmetric"
    smoothing_tol: float = 1e-6
    mutation_count_genes: str = "network"
    clinical_covariates: tuple[str, ...] = ()
    seed: int = 0

    @classmethod
    def from_config(cls, config: dict) -> BenchmarkSettings:
        """From a whole (validated) config: its `benchmark` section and `seed`."""
        return cls.from_benchmark(config.get("benchmark", {}), config.get("seed", 0))

    @classmethod
    def from_benchmark(cls, benchmark: dict, seed: int) -> BenchmarkSettings:
        """From the `benchmark` section (or the subset of it a job receives) and the seed."""
        values: dict = {"seed": int(seed)}
        simple = (
            "model",
            "l1_ratio",
            "outer_folds",
            "outer_repeats",
            "inner_folds",
            "inner_seed",
            "inner_score",
            "scale_features",
            "netnorm_tie_break",
            "mutation_count_genes",
        )
        values.update({key: benchmark[key] for key in simple if key in benchmark})
        if "max_features" in benchmark:
            values["max_features"] = benchmark["max_features"] or None
        for key in ("netnorm_k", "smoothing_alpha", "clinical_covariates"):
            if key in benchmark:
                values[key] = tuple(benchmark[key])
        if "smoothing" in benchmark:
            values["smoothing_normalization"] = benchmark["smoothing"].get("normalization", "symmetric")
            values["smoothing_tol"] = benchmark["smoothing"].get("tol", 1e-6)
        if "solver" in benchmark:
            values["solver_tol"] = benchmark["solver"].get("tol", 1e-6)
            values["solver_max_iter"] = benchmark["solver"].get("max_iter", 100)
        if "penalties" in benchmark:
            penalties = benchmark["penalties"]
            if penalties.get("C"):
                values["penalties"] = CostPenalties(tuple(penalties["C"]))
            else:
                values["penalties"] = RelativePenalties(
                    penalties.get("n", 6), penalties.get("min_ratio", 0.05), penalties.get("max_ratio", 0.9)
                )
        settings = cls(**values)
        if settings.model not in MODELS:
            raise InvalidParameterError(f"benchmark.model must be one of {MODELS}, got {settings.model!r}")
        if isinstance(settings.penalties, CostPenalties) and settings.model != "survival_svm":
            raise InvalidParameterError("benchmark.penalties.C (liblinear costs) applies to model survival_svm only")
        return settings

    def inner_seed_for(self, repeat: int, fold: int) -> int:
        """Seed of the inner splits of one outer fold: inner_seed for every fold, or derived from seed and the fold."""
        return int(self.inner_seed) if self.inner_seed is not None else self.seed + 1000 * repeat + fold

    def model_estimator(self):
        if self.model == "survival_svm":
            return SparseSurvivalSVM(tol=self.solver_tol, max_iter=self.solver_max_iter)
        return SparseCoxnet(l1_ratio=1.0 if self.model == "cox_lasso" else self.l1_ratio)


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
        if context is None:
            raise InvalidParameterError(f"representation {entry.name} needs a RepresentationContext")
        if entry.adjacency and context.adjacency is None:
            raise InvalidParameterError(f"representation {entry.name} needs the {entry.network} network's adjacency")
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
    penalties = settings.penalties
    if entry.min_penalty_ratio is not None and isinstance(penalties, RelativePenalties):
        # the same density of penalties per decade, continued down to the representation's own ratio
        decades = np.log10(penalties.max_ratio / penalties.min_ratio)
        extra = np.log10(penalties.min_ratio / entry.min_penalty_ratio)
        penalties = RelativePenalties(
            penalties.n + max(0, round(extra * (penalties.n - 1) / max(decades, 1e-9))),
            min(entry.min_penalty_ratio, penalties.min_ratio),
            penalties.max_ratio,
        )
    return PathSearchCV(
        representation_pipeline(entry, settings, context, clinical),
        grid,
        penalties=penalties,
        cv=settings.inner_folds,
        inner_score=settings.inner_score,
        random_state=random_state,
    )
