"""Rule summarize_cohorts (a checkpoint): the cross-type cohort table, which types are benchmarked, the networks."""

from pathlib import Path

import pandas as pd

from pancan.atomic import write_table_atomic
from pancan.data.cohort import Cohort
from pancan.data.cohort_summary import coverage_notes, left_out_sentence, summarize_cohorts
from pancan.provenance import stamp
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    cohorts = [Cohort.load(Path(path).parent, cancer) for path, cancer in zip(sm.input.patients, sm.params.cancers)]
    network_genes = {
        name: Path(path).read_text().split("\n")[:-1] for name, path in zip(sm.params.networks, sm.input.networks)
    }
    summary = summarize_cohorts(cohorts, network_genes, sm.params.endpoints, sm.params.min_events)
    for cohort in cohorts:
        for level, message in coverage_notes(cohort, network_genes):
            log.log(level, message)
    left_out = left_out_sentence(summary, sm.params.min_events)
    if left_out:
        log.warning("%s", left_out)
    write_table_atomic(stamp(summary), sm.output.summary)
    networks = pd.concat([pd.read_csv(path, sep="\t") for path in sm.input.network_summaries], ignore_index=True)
    write_table_atomic(stamp(networks), sm.output.networks)
    log.info("cohort summary:\n%s", summary.to_string(index=False))
    log.info("networks:\n%s", networks.to_string(index=False))
