"""Rule download_cbioportal_study: fetch a datahub study archive, check it whole, pin it, keep its MAF and clinical files."""

from pathlib import Path

from pancan.data.cbioportal import download_study
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    lock = Path(sm.params.lock_dir) / f"cbioportal_{sm.params.study}.json"
    record = download_study(
        sm.params.url,
        dict(sm.output),
        lock,
        expected_study=sm.params.study,
        downstream=sm.params.downstream,
        **sm.params.options,
    )
    log.info("%s: %s (%d bytes, sha256 %s)", sm.wildcards.study, sm.params.url, record.size, record.sha256)
