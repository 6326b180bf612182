"""Rule import_local_study: a cBioPortal-format study on disk -> its MAF and clinical files, pinned by sha256."""

from pancan.data.local_studies import import_study
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    record = import_study(
        sm.params.study, dict(sm.output), sm.params.lock_dir, sm.wildcards.study, downstream=sm.params.downstream
    )
    log.info("%s: study %s from %s", sm.wildcards.study, record["study"], sm.params.study)
    for role, entry in record["files"].items():
        log.info("%s: %s (%d bytes, sha256 %s)", sm.wildcards.study, role, entry["size"], entry["sha256"])
