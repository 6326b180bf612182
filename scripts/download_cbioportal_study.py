"""Rule download_cbioportal_study: fetch a datahub study archive and keep its MAF and clinical files."""

import tempfile
from pathlib import Path

from pancan.data.cbioportal import extract_members
from pancan.data.download import download_locked
from pancan.workflow_logging import rule_logging

sm = snakemake  # noqa: F821 (injected by Snakemake)

with rule_logging(sm.log[0]) as log:
    study = sm.params.study
    url = sm.params.url
    out_dir = Path(sm.output.mutations).parent
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".archive.") as scratch:
        archive = Path(scratch) / f"{study}.tar.gz"
        record = download_locked(url, archive, Path(sm.params.lock_dir) / f"cbioportal_{study}.json", **sm.params.options)
        extract_members(archive, dict(sm.output))
    log.info("%s: %s (%d bytes, sha256 %s)", sm.wildcards.cancer, url, record.size, record.sha256)
