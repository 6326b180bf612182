"""Rule summarize_stratification: one row per cancer type x representation (results/stratification/summary.tsv)."""

import pandas as pd

from pancan.atomic import write_table_atomic
from pancan.stratification.summary import stratification_summary
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    results = {}
    for name, path in sm.input.items():
        cancer, representation, table = name.split("/")
        results.setdefault((cancer, representation), {})[table] = pd.read_csv(path, sep="\t", dtype={"patient_id": str})
    summary = stratification_summary(results)
    write_table_atomic(summary, sm.output[0])
    log.info("%s", summary.to_string(index=False))
