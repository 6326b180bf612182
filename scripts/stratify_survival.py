"""Rule test_subtype_survival: log-rank per k (BH over k), Cox model of the chosen subtypes (age, stage)."""

import pandas as pd

from pancan.atomic import write_table_atomic
from pancan.stratification import cox_subtypes, logrank_by_k
from pancan.workflow_logging import rule_logging

sm = snakemake


def read(path):
    return pd.read_csv(path, sep="\t", dtype={"patient_id": str})


with rule_logging(sm.log[0]) as log:
    assignments, patients, clinical = read(sm.input.assignments), read(sm.input.patients), read(sm.input.clinical)
    selection = read(sm.input.model_selection)
    chosen = int(selection.loc[selection["chosen"], "k"].iloc[0])
    logrank = logrank_by_k(assignments, patients, sm.params.ks)
    logrank["chosen"] = logrank["k"] == chosen
    write_table_atomic(logrank, sm.output.logrank)
    subtypes = assignments.set_index("patient_id")["subtype"]
    terms, summary = cox_subtypes(subtypes, patients, clinical, sm.params.covariates, sm.params.stage_columns)
    write_table_atomic(terms.assign(k=chosen, **summary), sm.output.cox)
    log.info(
        "%s %s: log-rank per k\n%s\nCox at k = %d (%s)\n%s",
        sm.wildcards.cancer,
        sm.wildcards.representation,
        logrank.to_string(index=False),
        chosen,
        summary,
        terms.to_string(index=False),
    )
