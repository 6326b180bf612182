"""Mutation calls from a MAF (cBioPortal, GDC) or the bundled snapshot, as one tidy table.

Every reader returns columns sample_id, gene, variant_classification (text),
plus filter when the MAF has a FILTER column, one row per call, exactly as in
the file: filtering happens in call_filters.py so that every dropped call is counted.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pancan.data.tables import read_tsv
from pancan.errors import InputFileError

# maftools' default non-synonymous set; the NetNorM paper kept
# "non-silent point mutations or indels".
NON_SILENT_CLASSES = (
    "Frame_Shift_Del",
    "Frame_Shift_Ins",
    "In_Frame_Del",
    "In_Frame_Ins",
    "Missense_Mutation",
    "Nonsense_Mutation",
    "Nonstop_Mutation",
    "Splice_Site",
    "Translation_Start_Site",
)
CALL_COLUMNS = ["sample_id", "gene", "variant_classification"]
MAF_COLUMNS = {
    "Tumor_Sample_Barcode": "sample_id",
    "Hugo_Symbol": "gene",
    "Variant_Classification": "variant_classification",
}
SNAPSHOT_COLUMNS = {"patient_id": "sample_id", "gene": "gene", "variant_classification": "variant_classification"}


def _standardise(table: pd.DataFrame, columns: dict[str, str], path: Path) -> pd.DataFrame:
    present = {source: name for source, name in columns.items() if source in table.columns}
    calls = table[list(present)].rename(columns=present)
    for column in calls.columns:
        calls[column] = calls[column].astype("string").str.strip()
    if calls["sample_id"].isna().any():
        first = int(calls.index[calls["sample_id"].isna()][0])
        raise InputFileError(path, f"data row {first + 1} has an empty sample barcode")
    if len(calls) and calls["variant_classification"].isna().all():
        source = next(source for source, name in columns.items() if name == "variant_classification")
        raise InputFileError(path, f"column {source} is empty in every row: no call can be classified")
    return calls.reset_index(drop=True)


def read_maf(path: str | Path) -> pd.DataFrame:
    """Calls of a MAF (leading '#version' lines allowed, quoted fields honoured; FILTER kept when present)."""
    table = read_tsv(path, list(MAF_COLUMNS), optional=["FILTER"], what="MAF")
    return _standardise(table, {**MAF_COLUMNS, "FILTER": "filter"}, Path(path))


def read_snapshot_calls(path: str | Path) -> pd.DataFrame:
    """Calls of the bundled snapshot (patient_id, gene, variant_classification)."""
    table = read_tsv(path, list(SNAPSHOT_COLUMNS), what="mutation table")
    return _standardise(table, SNAPSHOT_COLUMNS, Path(path))
