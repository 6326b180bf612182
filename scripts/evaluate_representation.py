"""Rule evaluate_representation: nested CV of one representation, one cancer type, one outer repeat."""

from pathlib import Path

import pandas as pd
from sksurv.util import Surv

from pancan.atomic import write_table_atomic
from pancan.benchmark.nested_cv import PathModel, outer_splits, run_nested_cv, splits_from_table
from pancan.benchmark.representation_specs import CLINICAL, build_spec, clinical_covariates
from pancan.data.cohort import Cohort
from pancan.networks.gene_network import GeneNetwork
from pancan.representations import align_to_network
from pancan.workflow_logging import rule_logging

sm = snakemake  # noqa: F821 (injected by Snakemake)

with rule_logging(sm.log[0]) as log:
    cancer, name, repeat = sm.wildcards.cancer, sm.wildcards.representation, int(sm.wildcards.repeat)
    settings, seed = sm.params.settings, sm.params.seed
    cohort = Cohort.load(Path(sm.input.patients).parent, cancer)
    network = GeneNetwork.load(Path(sm.input.network_adjacency).parent)
    networks = {"main": network}
    if "control_adjacency" in sm.input.keys():  # Snakemake InputFiles: keys() lists named inputs
        networks[name.rsplit("_", 1)[1]] = GeneNetwork.load(Path(sm.input.control_adjacency).parent)
    aligned = align_to_network(cohort, network)
    clinical = clinical_covariates(cohort.clinical, settings["clinical_covariates"]) if name == CLINICAL else None
    spec = build_spec(name, aligned, networks, settings, clinical, n_jobs=sm.threads)
    patients = cohort.patients
    y = Surv.from_arrays(patients["event"].astype(bool), patients["time_days"])
    ids = patients["patient_id"].to_numpy()
    if settings["folds_file"]:
        table = pd.read_csv(settings["folds_file"], sep="\t", dtype={"patient_id": str})
        splits = splits_from_table(table, ids, settings["folds_file"], repeats=[repeat])
    else:
        # repeat r of RepeatedStratifiedKFold does not depend on how many repeats follow it
        splits = outer_splits(y["event"], settings["outer_folds"], repeat + 1, seed, repeats=[repeat])
    model = PathModel(
        settings["model"],
        settings["penalties"]["n"],
        settings["penalties"]["min_ratio"],
        settings["solver"]["tol"],
        settings["solver"]["max_iter"],
        settings["l1_ratio"],
    )
    log.info("%s %s repeat %d: %d patients, %d outer folds, grid %s=%s", cancer, name, repeat, len(ids), len(splits),
             spec.parameter, spec.grid)
    results = run_nested_cv(spec, y, ids, splits, model, inner_folds=settings["inner_folds"], seed=seed,
                            max_features=settings["max_features"] or None, scale_features=settings["scale_features"])
    metrics, predictions, coefficients = results.tables()
    for table in (metrics, predictions, coefficients):
        table.insert(0, "cancer", cancer)
    predictions.insert(1, "representation", name)
    coefficients.insert(1, "representation", name)
    write_table_atomic(metrics, sm.output.metrics)
    write_table_atomic(predictions, sm.output.predictions)
    write_table_atomic(coefficients, sm.output.coefficients)
    log.info("mean Harrell's C %.3f over %d folds", metrics["harrell_c"].mean(), len(metrics))
