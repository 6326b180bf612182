"""Rule evaluate_pooled: nested CV of one pooled pan-cancer model (every benchmarked type, pairs within a type)."""

import tempfile
from pathlib import Path

from sksurv.util import Surv
from threadpoolctl import threadpool_limits

from pancan.atomic import write_table_atomic
from pancan.benchmark.nested_cv import nested_cross_validation, read_fold_table
from pancan.benchmark.pooled import (
    check_pooled_deaths,
    check_pooled_model,
    per_type_concordance,
    pool_cohorts,
    pooled_outer_splits,
    register_stacked_smoothings,
)
from pancan.benchmark.protocol import BenchmarkSettings, benchmark_search
from pancan.data.cohort import Cohort
from pancan.networks import GeneNetwork
from pancan.provenance import stamp
from pancan.representations import NetworkAdjacency, align_to_network
from pancan.representations.registry import REGISTRY, RepresentationContext, smoothing_options
from pancan.representations.row_cache import RowCache
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log, threadpool_limits(sm.threads), tempfile.TemporaryDirectory() as scratch:
    name = sm.wildcards.representation
    entry = REGISTRY[name]
    settings = BenchmarkSettings.from_benchmark(sm.params.settings, sm.params.seed)
    check_pooled_model(settings.model, settings.model_estimator())
    network = GeneNetwork.load(Path(sm.input.network_adjacency).parent)
    cancers = [Path(path).parent.name for path in sm.input.patients]
    cohorts = {}
    for cancer, path in zip(cancers, sm.input.patients):
        cohort = Cohort.load(Path(path).parent, cancer)
        cohorts[cancer] = (align_to_network(cohort, network), cohort.patients)
    pooled = pool_cohorts(cohorts)
    y = Surv.from_arrays(pooled.event, pooled.time)
    groups, ids = pooled.groups, pooled.patients["patient_id"].to_numpy()
    control = sm.input.get("control_adjacency")
    used = GeneNetwork.load(Path(control).parent) if control else network
    adjacency = NetworkAdjacency(used.adjacency) if entry.adjacency else None
    memo = RowCache(f"{name} rows")
    context = RepresentationContext(adjacency, pooled.n_network, n_jobs=sm.threads, memo=memo)
    smoothed = list(sm.input.get("smoothed", []))
    if smoothed:  # each type's cached profiles, stacked in the pooled row order (in a scratch folder)
        register_stacked_smoothings(
            memo,
            pooled,
            smoothed,
            settings.section["smoothing_alpha"],
            context.adjacency,
            scratch,
            **smoothing_options(settings.section),
        )
    folds_file = sm.input.get("folds_file")
    splits = pooled_outer_splits(  # each type's own outer folds, united: the per-type models' test patients
        pooled,
        settings.outer_folds,
        list(sm.params.repeats),
        settings.seed,
        read_fold_table(folds_file) if folds_file else None,
        folds_file or "",
    )
    check_pooled_deaths(pooled.event, groups, splits, settings.inner_folds)
    search = benchmark_search(entry, settings, context)
    log.info(
        "pooled %s: %d patients of %s, %d outer folds (each type's own, united), grid %s, %s",
        name,
        len(ids),
        ", ".join(f"{c} ({(groups == c).sum()})" for c in cancers),
        len(splits),
        search.param_grid or "-",
        search.resolved_path().describe(),
    )
    results = nested_cross_validation(
        search,
        pooled.X,
        y,
        ids,
        splits,
        inner_seeds={(s.repeat, s.fold): settings.inner_seed_for(s.repeat, s.fold) for s in splits},
        feature_names=pooled.genes,
        name=name,
        groups=groups,
    )
    metrics, predictions, coefficients = results.tables()
    folds = metrics.drop(columns=["uno_c", "uno_tau_days"]).rename(columns={"harrell_c": "stratified_c"})
    folds.insert(1, "cancers", ",".join(cancers))
    predictions = predictions.rename(columns={"group": "cancer"})
    per_type = per_type_concordance(predictions.rename(columns={"cancer": "group"}), pooled.patients)
    per_type.insert(0, "representation", name)
    coefficients.insert(0, "representation", name)
    predictions.insert(0, "representation", name)
    write_table_atomic(stamp(folds), sm.output.folds)
    write_table_atomic(stamp(per_type), sm.output.per_type)
    write_table_atomic(stamp(predictions), sm.output.predictions)
    write_table_atomic(stamp(coefficients), sm.output.coefficients)
    log.info(
        "pooled %s: mean stratified C %.3f over %d folds; mean C per type: %s",
        name,
        folds["stratified_c"].mean(),
        len(folds),
        ", ".join(f"{c} {v:.3f}" for c, v in per_type.groupby("cancer")["harrell_c"].mean().items()),
    )
