"""Rule prepare_cohort: raw per-type files (snapshot, or a downloaded or local study) -> sparse cohort + drop log."""

import os
from pathlib import Path

from pancan.atomic import write_table_atomic
from pancan.data.drop_log import DropLog
from pancan.data.prepare import CohortSettings, prepare_cohort
from pancan.errors import InputFileError, InsufficientDataError
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
    settings = CohortSettings.from_config(cancer, sm.params.mutations, sm.params.survival, sm.params.named)
    dropped = DropLog()
    try:
        cohort = prepare_cohort(
            cancer,
            dict(sm.input),
            settings,
            data_source=sm.params.data_source,
            study=sm.params.study,
            snapshot_dir=sm.params.snapshot_dir if sm.params.data_source == "snapshot" else None,
            log=dropped,
        )
    except (InputFileError, InsufficientDataError) as exc:
        # what was dropped before the failure, kept beside the log (the job's outputs are removed)
        write_table_atomic(dropped.to_frame(), sm.log.dropped)
        for row in dropped.totals().itertuples():
            log.info("dropped before the failure: %s: %s: %d", row.stage, row.reason, row.count)
        log.info("the drops before the failure are in %s", sm.log.dropped)
        if isinstance(exc, InputFileError):
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
        "%s: %d patients (%d %s events) x %d genes, %d mutated pairs; events of each endpoint:\n%s",
        cancer,
        len(cohort.patients),
        int(cohort.patients["event"].sum()),
        settings.endpoint,
        len(cohort.genes),
        cohort.mutations.nnz,
        cohort.endpoints.to_string(index=False),
    )
