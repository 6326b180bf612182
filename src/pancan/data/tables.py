"""Robust reading of tab-separated inputs (MAF, cBioPortal clinical, snapshot TSVs)."""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pancan.errors import InputFileError

# Values cBioPortal / TCGA use for "no value"; read as missing.
MISSING_MARKERS = [
    "",
    "NA",
    "N/A",
    "NaN",
    "nan",
    "[Not Available]",
    "[Not Applicable]",
    "[Not Evaluated]",
    "[Unknown]",
    "[Discrepancy]",
    "[Completed]",
]


def open_text(path: str | Path) -> io.TextIOBase:
    """Open a text file, transparently gunzipping it when it starts with the gzip magic."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "file not found")
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def read_tsv(
    path: str | Path,
    required: Sequence[str],
    *,
    all_columns: bool = False,
    optional: Sequence[str] = (),
    what: str = "table",
) -> pd.DataFrame:
    """Read a TSV whose leading lines may start with '#' (MAF `#version`, cBioPortal headers).

    Reads the `required` columns, the `optional` ones present (or every column with `all_columns`). Only *leading* '#' lines are skipped (pandas' `comment=` would also cut fields
    that contain '#'); quoted fields are honoured; every column is read as text.
    Raises InputFileError naming the file for a missing header, missing required
    columns or ragged rows.
    """
    path = Path(path)
    try:
        with open_text(path) as handle:
            skipped = 0
            header_line = ""
            for line in handle:
                if line.startswith("#"):
                    skipped += 1
                    continue
                header_line = line
                break
            if not header_line.strip():
                raise InputFileError(path, f"no header row: the {what} is empty")
            header = next(csv.reader([header_line.rstrip("\r\n")], delimiter="\t"))
            missing = [c for c in required if c not in header]
            if missing:
                raise InputFileError(
                    path,
                    f"{what} lacks required column(s) {', '.join(missing)} "
                    f"(found: {', '.join(header[:12])}{', ...' if len(header) > 12 else ''})",
                )
            present = [c for c in optional if c in header]
            wanted = list(dict.fromkeys([*required, *present, *(header if all_columns else [])]))
            text = header_line + handle.read()
    except (UnicodeDecodeError, EOFError, gzip.BadGzipFile, OSError, zlib.error) as exc:
        if isinstance(exc, InputFileError):
            raise
        raise InputFileError(path, f"cannot be read as text ({exc})") from exc
    _check_field_counts(text, len(header), path, skipped, what)
    try:
        table = pd.read_csv(
            io.StringIO(text),
            sep="\t",
            dtype=str,
            usecols=wanted,
            na_values=MISSING_MARKERS,
            keep_default_na=False,
            quoting=csv.QUOTE_MINIMAL,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        message = str(exc).strip().replace("\n", " ")
        raise InputFileError(path, f"malformed {what} after {skipped} leading '#' line(s): {message}") from exc
    return table


def _check_field_counts(text: str, n_columns: int, path: Path, skipped: int, what: str) -> None:
    """A row with more fields than the header is malformed (pandas drops the excess silently with usecols).

    Shorter rows are accepted: MAF writers commonly trim trailing empty fields.
    """
    reader = csv.reader(io.StringIO(text), delimiter="\t")
    for row in reader:
        if len(row) > n_columns:
            line = skipped + reader.line_num
            raise InputFileError(
                path, f"malformed {what}: line {line} has {len(row)} fields, the header has {n_columns}"
            )
