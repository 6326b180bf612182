"""Rule download_network_file: fetch one network file from its publisher, validated, then pinned by a lock."""

from pathlib import Path

from pancan.atomic import remove_stale_temporaries
from pancan.data.download import check_gzip, download_locked
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    for stale in remove_stale_temporaries(sm.output[0]):
        log.info("removed %s left by an interrupted download", stale)
    lock = Path(sm.params.lock_dir) / f"network_{sm.wildcards.resource}.json"
    record = download_locked(sm.params.url, sm.output[0], lock, validate=check_gzip, **sm.params.options)
    log.info("%s: %d bytes, sha256 %s", sm.params.url, record.size, record.sha256)
