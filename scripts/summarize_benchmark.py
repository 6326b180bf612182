"""Rule summarize_benchmark: the cross-cancer fold table, summaries, paired tests and the pan-cancer comparison."""

import pandas as pd

from pancan.atomic import write_table_atomic
from pancan.benchmark.comparisons import paired_tests, pan_cancer_summary
from pancan.benchmark.results_summary import grid_edges, summarize_folds
from pancan.provenance import stamp
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    folds = pd.concat([pd.read_csv(path, sep="\t") for path in sm.input.folds], ignore_index=True)
    summary = summarize_folds(folds)
    tests = paired_tests(folds, sm.params.comparisons)
    # the paper's headline: the mutation representations against each other (clinical models aside)
    mutation_only = folds[folds["representation"].isin(sm.params.representations)]
    write_table_atomic(stamp(folds), sm.output.folds)
    write_table_atomic(stamp(summary), sm.output.summary)
    write_table_atomic(stamp(tests), sm.output.tests)
    write_table_atomic(stamp(pan_cancer_summary(mutation_only)), sm.output.pan_cancer)
    write_table_atomic(stamp(grid_edges(folds)), sm.output.grid_edges)
    wide = summary.pivot(index="cancer", columns="representation", values="harrell_c_mean")
    log.info("mean Harrell's C per cancer x representation:\n%s", wide.round(3).to_string())
    log.info("tests with q < 0.05:\n%s", tests[tests["q_value"] < 0.05].to_string(index=False))
