"""Rule prepare_cohort: raw per-type files (snapshot, or a downloaded or local study) -> sparse cohort + drop log."""

import os
from pathlib import Path

from pancan.atomic import write_table_atomic
from pancan.data.cohort import build_cohort
from pancan.data.cohort_inputs import cbioportal_inputs, snapshot_inputs
from pancan.data.drop_log import DropLog
from pancan.data.manifest import verify_files
from pancan.errors import InputFileError
from pancan.workflow_logging import rule_logging

sm = snakemake


def user_file(path):
    """The user's file behind a raw input (its imported or downloaded copy otherwise)."""
    for role, source in sm.params.sources.items():
        if os.path.abspath(path) == os.path.abspath(sm.input[role]):
            return source
    return path


with rule_logging(sm.log[0]) as log:
    cancer = sm.wildcards.cancer
    survival, mutations = sm.params.survival, sm.params.mutations
    dropped = DropLog()
    try:
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
        by_cancer = mutations["sample_type_preference_by_cancer"]
        preference = by_cancer.get(cancer, mutations["sample_type_preference"])
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
            preference_key=(
                f"mutations.sample_type_preference_by_cancer.{cancer}"
                if cancer in by_cancer
                else "mutations.sample_type_preference"
            ),
            log=dropped,
        )
    except InputFileError as exc:
        # what was dropped before the failure, kept beside the log (the job's outputs are removed)
        write_table_atomic(dropped.to_frame(), sm.log.dropped)
        for row in dropped.totals().itertuples():
            log.info("dropped before the failure: %s: %s: %d", row.stage, row.reason, row.count)
        log.info("the drops before the failure are in %s", sm.log.dropped)
        source = user_file(exc.path)
        if source != exc.path:
            raise InputFileError(source, f"{exc.problem} (imported as {exc.path})") from exc
        raise
    for row in dropped.totals().itertuples():
        log.info("dropped %s: %s: %d", row.stage, row.reason, row.count)
    cohort.save(Path(sm.output.mutations).parent)
    write_table_atomic(dropped.to_frame(), sm.output.dropped)
    Path(sm.log.dropped).unlink(missing_ok=True)  # a failed earlier run's, now out of date
    log.info(
        "%s: %d patients (%d deaths) x %d genes, %d mutated pairs",
        cancer,
        len(cohort.patients),
        int(cohort.patients["event"].sum()),
        len(cohort.genes),
        cohort.mutations.nnz,
    )
