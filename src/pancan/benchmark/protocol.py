"""The benchmark protocol: config -> settings -> the scikit-learn search every outer fold runs.

A notebook user reproduces a workflow fold with the same three calls the rule script makes:

    settings = BenchmarkSettings.from_config(yaml.safe_load(open("config/config.yaml")))
    search = benchmark_search("netnorm", settings, RepresentationContext(NetworkAdjacency(network.adjacency),
                                                                        aligned.n_network))
    search.set_params(random_state=settings.inner_seed_for(repeat, fold))
    risk = search.fit(aligned.X[train], y[train]).predict(aligned.X[test])
"""

from __future__ import annotations

import pandas as pd
from sklearn.pipeline import Pipeline

from pancan.benchmark.feature_steps import AsText, ColumnScaler, VarianceFilter, clinical_encoder
from pancan.benchmark.settings import BenchmarkSettings
from pancan.errors import InvalidParameterError
from pancan.models.path_search import PathSearchCV
from pancan.representations.registry import REGISTRY, Representation, RepresentationContext


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
