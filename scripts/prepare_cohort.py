"""Rule prepare_cohort: raw per-type files (snapshot, or a downloaded or local study) -> sparse cohort + drop log."""

import os
from pathlib import Path

from pancan.atomic import write_table_atomic
from pancan.data.cohort import build_cohort
from pancan.data.cohort_inputs import cbioportal_inputs, snapshot_inputs
from pancan.data.manifest import verify_files
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    cancer = sm.wildcards.cancer
    survival, mutations = sm.params.survival, sm.params.mutations
    if sm.params.data_source == "snapshot":
        root = sm.params.snapshot_dir
        verify_files(root, [os.path.relpath(path, root) for path in sm.input])
        inputs = snapshot_inputs(sm.input.mutations, sm.input.survival, sm.input.clinical, survival["endpoint"])
    else:
        inputs = cbioportal_inputs(
            sm.input.mutations,
            sm.input.clinical_patient,
            sm.input.clinical_sample,
            survival["endpoint"],
            survival["days_per_month"],
        )
    preference = mutations["sample_type_preference_by_cancer"].get(cancer, mutations["sample_type_preference"])
    cohort, dropped = build_cohort(
        cancer,
        inputs.calls,
        inputs.survival,
        inputs.clinical,
        classes=mutations["classes"],
        sample_preference=preference,
        sample_to_patient=inputs.sample_to_patient,
        exclude_filters=mutations["exclude_filters"],
        keep_unmutated_patients=mutations["keep_unmutated_patients"],
        drop_zero_time=survival["drop_zero_time"],
        survival_path=inputs.survival_path,
        calls_path=sm.input.mutations,
    )
    for row in dropped.totals().itertuples():
        log.info("dropped %s: %s: %d", row.stage, row.reason, row.count)
    cohort.save(Path(sm.output.mutations).parent)
    write_table_atomic(dropped.to_frame(), sm.output.dropped)
    log.info(
        "%s: %d patients (%d deaths) x %d genes, %d mutated pairs",
        cancer,
        len(cohort.patients),
        int(cohort.patients["event"].sum()),
        len(cohort.genes),
        cohort.mutations.nnz,
    )
