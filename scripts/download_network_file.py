"""Rule download_network_file: fetch one network file from its publisher, parse and validate it, then pin it."""

from pathlib import Path

from pancan.atomic import remove_stale_temporaries
from pancan.data.download import check_gzip, download_locked
from pancan.networks.registry import NETWORKS
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    resource = sm.wildcards.resource
    for stale in remove_stale_temporaries(sm.output[0]):
        log.info("removed %s left by an interrupted download", stale)

    def validate(path: Path, label: str) -> None:
        check_gzip(path, label)
        # as prepare_network will read it; against the files of its source it needs, pinned first
        NETWORKS.check_file(resource, path, sm.params.settings, dict(sm.input.items()))

    lock = Path(sm.params.lock_dir) / f"network_{resource}.json"
    record = download_locked(
        sm.params.url,
        sm.output[0],
        lock,
        validate=validate,
        downstream=sm.params.downstream,
        **sm.params.options,
    )
    log.info("%s: %d bytes, sha256 %s", sm.params.url, record.size, record.sha256)
