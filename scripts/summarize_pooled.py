"""Rule summarize_pooled: each pooled model against the per-type models, fold by fold on the same test patients."""

from pathlib import Path

import pandas as pd

from pancan.atomic import write_table_atomic
from pancan.benchmark.pooled import (
    check_same_test_patients,
    per_type_models_stratified_c,
    pooled_comparison,
    pooled_fold_pairs,
)
from pancan.provenance import stamp
from pancan.workflow_logging import rule_logging

sm = snakemake


def read_all(paths) -> pd.DataFrame:
    return pd.concat([pd.read_csv(path, sep="\t", dtype={"patient_id": str}) for path in paths], ignore_index=True)


with rule_logging(sm.log[0]) as log:
    per_type = read_all(sm.input.per_type)
    folds = read_all(sm.input.folds)
    pooled_predictions = read_all(sm.input.predictions)
    names = set(folds["representation"])
    type_folds = pd.read_csv(sm.input.type_folds, sep="\t")
    type_predictions = read_all(sm.input.type_predictions)
    type_predictions = type_predictions[
        type_predictions["representation"].isin(names) & type_predictions["cancer"].isin(set(per_type["cancer"]))
    ]
    patients = pd.concat(
        [
            pd.read_csv(path, sep="\t", dtype={"patient_id": str}).assign(cancer=Path(path).parent.name)
            for path in sm.input.patients
        ],
        ignore_index=True,
    )
    check_same_test_patients(pooled_predictions, type_predictions)
    pairs = pooled_fold_pairs(per_type, folds, type_folds, per_type_models_stratified_c(type_predictions, patients))
    table = pooled_comparison(pairs)
    write_table_atomic(stamp(table), sm.output.summary)
    log.info(
        "pooled model against the per-type models (mean Harrell's C, same test patients):\n%s",
        table[["cancer", "representation", "pooled_c_mean", "per_type_c_mean", "difference", "p_value", "q_value"]]
        .round(4)
        .to_string(),
    )
