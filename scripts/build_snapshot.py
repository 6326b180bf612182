"""Rebuild the bundled data snapshot under resources/snapshot from ../shared/data.

Maintainer tool, not a rule: it slims the offline copy of the real TCGA and
network data to the columns the workflow reads, writes it deterministically
(gzip mtime 0, sorted rows) and records a sha256 manifest.

    python scripts/build_snapshot.py --source ../shared/data --dest resources/snapshot
"""

from __future__ import annotations

import argparse
import gzip
import shutil
from pathlib import Path

import pandas as pd

from pancan.data.manifest import write_manifest
from pancan.networks.registry import NETWORKS

SNAPSHOT_CANCERS = ["BRCA", "GBM", "HNSC", "KIRC", "LUAD", "LUSC", "OV", "SKCM"]
MUTATION_COLUMNS = ["patient_id", "gene", "variant_classification"]
STRING_COLUMNS = ["gene_a", "gene_b", "combined_score"]


def write_gzip_tsv(table: pd.DataFrame, path: Path) -> None:
    """Write a TSV.gz that is byte-identical for identical content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = table.to_csv(sep="\t", index=False, lineterminator="\n").encode()
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as zipped,
    ):
        zipped.write(payload)


def build(source: Path, dest: Path) -> None:
    for cancer in SNAPSHOT_CANCERS:
        src = source / "tcga" / cancer
        out = dest / "tcga" / cancer
        out.mkdir(parents=True, exist_ok=True)
        mutations = src / "mutations.tsv.gz"
        if mutations.exists():
            calls = pd.read_csv(mutations, sep="\t", dtype=str, keep_default_na=False)
            # Barcodes in this source are already 12-character patient ids
            # (one primary tumour per patient), so sample_barcode is dropped.
            assert (calls["sample_barcode"] == calls["patient_id"]).all(), cancer
            calls = calls[MUTATION_COLUMNS].sort_values(MUTATION_COLUMNS, kind="stable")
            write_gzip_tsv(calls, out / "mutations.tsv.gz")
        for name in ("survival.tsv", "clinical.tsv"):
            shutil.copyfile(src / name, out / name)
    # the snapshot tables the network registry names
    pathway_commons = dest / NETWORKS["pathway_commons"].snapshot
    pathway_commons.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "networks" / "pathway_commons_v9_hgnc.tsv.gz", pathway_commons)
    string = pd.read_csv(source / "networks" / "string_dnet_score900.tsv.gz", sep="\t", dtype=str)
    write_gzip_tsv(string[STRING_COLUMNS], dest / NETWORKS["string"].snapshot)
    write_manifest(dest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("../shared/data"))
    parser.add_argument("--dest", type=Path, default=Path("resources/snapshot"))
    args = parser.parse_args()
    build(args.source, args.dest)


if __name__ == "__main__":
    main()
