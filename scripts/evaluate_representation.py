"""Rule evaluate_representation: nested CV of one representation on one cancer type, for one or every outer repeat."""

from pathlib import Path

from sksurv.util import Surv
from threadpoolctl import threadpool_limits

from pancan.atomic import write_table_atomic
from pancan.benchmark.clinical_table import clinical_covariates
from pancan.benchmark.metrics import check_uno_truncation, uno_truncation
from pancan.benchmark.nested_cv import (
    check_deaths,
    cohort_outer_splits,
    nested_cross_validation,
    read_fold_table,
)
from pancan.benchmark.protocol import BenchmarkSettings, benchmark_search
from pancan.data.cohort import Cohort
from pancan.networks import GeneNetwork
from pancan.provenance import stamp
from pancan.representations import NetworkAdjacency, align_to_network, register_precomputed
from pancan.representations.registry import REGISTRY, RepresentationContext, smoothing_options
from pancan.representations.row_cache import RowCache
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log, threadpool_limits(sm.threads):
    cancer, name, repeats = sm.wildcards.cancer, sm.wildcards.representation, list(sm.params.repeats)
    entry = REGISTRY[name]
    benchmark = sm.params.settings
    settings = BenchmarkSettings.from_benchmark(benchmark, sm.params.seed)
    cohort = Cohort.load(Path(sm.input.patients).parent, cancer)
    network = GeneNetwork.load(Path(sm.input.network_adjacency).parent)
    aligned = align_to_network(cohort, network)
    patients = cohort.patients
    y = Surv.from_arrays(patients["event"].astype(bool), patients["time_days"])
    ids = patients["patient_id"].to_numpy()
    if entry.clinical:
        clinical = clinical_covariates(cohort, settings.section["clinical_covariates"])
        X, context = clinical, None
    else:
        control = sm.input.get("control_adjacency")
        used = GeneNetwork.load(Path(control).parent) if control else network
        adjacency = NetworkAdjacency(used.adjacency) if entry.adjacency else None  # validated only when used
        memo = RowCache(f"{name} rows")  # shared by every fold's clones: each patient computed once
        context = RepresentationContext(adjacency, aligned.n_network, n_jobs=sm.threads, memo=memo)
        X, clinical = aligned.X, None
        for alpha, path in zip(sorted(settings.section["smoothing_alpha"]), sm.input.get("smoothed", [])):
            register_precomputed(memo, X, path, context.adjacency, alpha, **smoothing_options(settings.section))
    folds_table = read_fold_table(sm.input.folds_file) if benchmark["folds_file"] else None
    splits = cohort_outer_splits(
        y["event"],
        ids,
        settings.outer_folds,
        repeats,
        settings.seed,
        folds_table,
        sm.input.get("folds_file", ""),
        what=cancer,
    )
    check_deaths(y["event"], splits, cancer, settings.inner_folds)
    tau = uno_truncation(patients["time_days"].to_numpy(), **benchmark["uno_tau"])
    check_uno_truncation(tau, patients["time_days"].to_numpy(), y["event"], cancer)
    search = benchmark_search(entry, settings, context, clinical)
    log.info(
        "%s %s repeat(s) %s: %d patients, %d outer folds, grid %s, %s, Uno tau %.0f days",
        cancer,
        name,
        ", ".join(map(str, repeats)),
        len(ids),
        len(splits),
        search.param_grid or "-",
        search.resolved_path().describe(),
        tau,
    )
    results = nested_cross_validation(
        search,
        X,
        y,
        ids,
        splits,
        inner_seeds={(s.repeat, s.fold): settings.inner_seed_for(s.repeat, s.fold) for s in splits},
        feature_names=None if entry.clinical else aligned.genes,
        uno_tau=tau,
        name=name,
    )
    metrics, predictions, coefficients = results.tables()
    tables = {
        "metrics": metrics,
        "predictions": predictions,
        "coefficients": coefficients,
        "inner": results.inner_table(),
    }
    for kind, table in tables.items():
        table.insert(0, "cancer", cancer)
        if kind != "metrics":
            table.insert(1, "representation", name)
        paths = getattr(sm.output, kind)
        paths = [paths] if isinstance(paths, str) else list(paths)
        for repeat, path in zip(repeats, paths, strict=True):
            write_table_atomic(stamp(table[table["repeat"] == repeat].reset_index(drop=True)), path)
    log.info("mean Harrell's C %.3f over %d folds", metrics["harrell_c"].mean(), len(metrics))
