"""Rule summarize_benchmark: the cross-cancer results table and the paired Wilcoxon tests."""

import pandas as pd

from pancan.atomic import write_table_atomic
from pancan.benchmark.results_summary import paired_wilcoxon, summarize_folds
from pancan.workflow_logging import rule_logging

sm = snakemake  # noqa: F821 (injected by Snakemake)

with rule_logging(sm.log[0]) as log:
    folds = pd.concat([pd.read_csv(path, sep="\t") for path in sm.input.folds], ignore_index=True)
    summary = summarize_folds(folds)
    tests = paired_wilcoxon(folds, sm.params.comparisons)
    write_table_atomic(folds, sm.output.folds)
    write_table_atomic(summary, sm.output.summary)
    write_table_atomic(tests, sm.output.wilcoxon)
    wide = summary.pivot(index="cancer", columns="representation", values="harrell_c_mean")
    log.info("mean Harrell's C per cancer x representation:\n%s", wide.round(3).to_string())
