"""Rule summarize_cancer: all folds of one cancer type, plus the mutation + clinical combinations."""

import pandas as pd

from pancan.atomic import write_table_atomic
from pancan.benchmark.metrics import uno_truncation
from pancan.benchmark.results_summary import combine_with_clinical
from pancan.provenance import stamp
from pancan.workflow_logging import rule_logging

sm = snakemake


def read_all(paths):
    return pd.concat([pd.read_csv(path, sep="\t", dtype={"patient_id": str}) for path in paths], ignore_index=True)


with rule_logging(sm.log[0]) as log:
    cancer = sm.wildcards.cancer
    folds = read_all(sm.input.metrics)
    predictions = read_all(sm.input.predictions)
    coefficients = read_all(sm.input.coefficients)
    if sm.params.clinical:
        survival = pd.read_csv(sm.input.patients, sep="\t", dtype={"patient_id": str})
        tau = uno_truncation(survival["time_days"].to_numpy(), **sm.params.uno_tau)
        clinical = predictions[predictions["representation"] == "clinical"].drop(columns=["cancer", "representation"])
        combined = []
        for name in sm.params.representations:
            mutation = predictions[predictions["representation"] == name].drop(columns=["cancer", "representation"])
            combined.append(combine_with_clinical(mutation, clinical, survival, f"{name}+clinical", tau))
        folds = pd.concat([folds, pd.concat(combined).assign(cancer=cancer)], ignore_index=True)
    write_table_atomic(stamp(folds), sm.output.folds)
    write_table_atomic(stamp(predictions), sm.output.predictions)
    write_table_atomic(stamp(coefficients), sm.output.coefficients)
    means = folds.groupby("representation")["harrell_c"].mean().round(3)
    log.info("%s mean Harrell's C:\n%s", cancer, means.to_string())
