"""Rule build_consensus: consensus matrices, PAC / cophenetic per k, subtype assignments and the chosen k."""

import numpy as np
import pandas as pd

from pancan.atomic import atomic_path, write_table_atomic
from pancan.stratification import Profiles, choose_k
from pancan.stratification.model_selection import consensus_over_k, eligible_partitions, minimum_subtype_size
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    profiles = Profiles.load(sm.input.profiles)
    batches = [np.load(path) for path in sm.input.batches]
    labels = np.concatenate([batch["labels"] for batch in batches], axis=1)
    for batch in batches:
        if list(batch["ks"]) != list(sm.params.ks):
            raise ValueError(f"subsample batch clustered k = {list(batch['ks'])}, expected {sm.params.ks}")
    result = consensus_over_k(labels, sm.params.ks, sm.params.pac_window)
    clustered = profiles.patients[result["clustered"]].astype(str)  # pyNBS's filter may never keep some
    table = result["table"]
    min_size = minimum_subtype_size(sm.params.min_subtype_size, len(clustered))
    table["eligible"] = eligible_partitions(table, min_size)
    chosen = choose_k(table, sm.params.k, min_size)
    table["chosen"] = table["k"] == chosen
    # a k chosen by PAC at the top of the grid: a larger k might have done better (not flagged when k is fixed)
    top = table["chosen"] & (table["k"] == max(sm.params.ks)) & (len(sm.params.ks) > 1)
    table["top_of_grid"] = top & (not sm.params.k)
    table["fixed_k"] = bool(sm.params.k)
    if not sm.params.k and not table["eligible"].any():
        log.warning(
            "%s %s: no k gives subtypes of at least %d patients (stratification.min_subtype_size); "
            "k of lowest PAC among all",
            sm.wildcards.cancer,
            sm.wildcards.representation,
            min_size,
        )
    write_table_atomic(table, sm.output.model_selection)
    with atomic_path(sm.output.consensus) as tmp, open(tmp, "wb") as handle:
        np.savez_compressed(
            handle,
            patients=clustered,
            ks=np.array(sm.params.ks),
            consensus=result["consensus"],
            co_sampled=result["co_sampled"],
            subtypes=result["subtypes"],
            order=result["order"],
        )
    cohort = pd.read_csv(sm.input.patients, sep="\t", dtype={"patient_id": str})[["patient_id"]]
    assigned = pd.DataFrame({f"k{k}": s for k, s in zip(sm.params.ks, result["subtypes"])})
    assigned.insert(0, "patient_id", clustered)
    assignments = cohort.merge(assigned, on="patient_id", how="left")
    assignments.insert(1, "clustered", assignments[f"k{chosen}"].notna())
    assignments.insert(2, "subtype", assignments[f"k{chosen}"])
    write_table_atomic(
        assignments.astype({c: "Int64" for c in assigned.columns[1:]}).astype({"subtype": "Int64"}),
        sm.output.assignments,
    )
    log.info(
        "%s %s: %d subsamples, %d of %d patients clustered; chosen k = %d\n%s",
        sm.wildcards.cancer,
        sm.wildcards.representation,
        labels.shape[1],
        len(clustered),
        len(profiles.patients),
        chosen,
        table.to_string(index=False),
    )
