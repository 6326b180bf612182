"""Rule summarize_pooled: each pooled model's mean C per type next to the per-type model's, and its stratified C."""

import pandas as pd

from pancan.atomic import write_table_atomic
from pancan.benchmark.pooled import pooled_comparison
from pancan.provenance import stamp
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    per_type = pd.concat([pd.read_csv(path, sep="\t") for path in sm.input.per_type], ignore_index=True)
    folds = pd.concat([pd.read_csv(path, sep="\t") for path in sm.input.folds], ignore_index=True)
    summary = pd.read_csv(sm.input.summary, sep="\t")
    table = pooled_comparison(per_type, summary, folds)
    write_table_atomic(stamp(table), sm.output.summary)
    log.info(
        "pooled model against the per-type models (mean Harrell's C):\n%s",
        table[["cancer", "representation", "pooled_c_mean", "per_type_c_mean", "difference"]].round(3).to_string(),
    )
