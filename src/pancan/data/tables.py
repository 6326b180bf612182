"""Robust reading of tab-separated inputs (MAF, cBioPortal clinical, snapshot TSVs)."""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Sequence
from operator import itemgetter
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
    """Open a text file, transparently gunzipping it when it starts with the gzip magic.

    Read as UTF-8 with an optional byte-order mark ('utf-8-sig'): Excel saves
    tab-separated text with one, and it would otherwise become part of the first
    column's name (so PATIENT_ID would not be found).
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "file not found")
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def read_tsv(
    path: str | Path,
    required: Sequence[str],
    *,
    all_columns: bool = False,
    optional: Sequence[str] = (),
    what: str = "table",
) -> pd.DataFrame:
    """Read a TSV whose leading lines may start with '#' (MAF `#version`, cBioPortal headers).

    Reads the `required` columns, the `optional` ones present (or every column
    with `all_columns`), every value as text, the MISSING_MARKERS as missing.
    Only *leading* '#' lines are skipped (pandas' `comment=` would also cut fields
    that contain '#'); quoted fields are honoured. The file is parsed once, by the
    csv module, keeping only the wanted fields of each row: pandas' `usecols`
    would silently drop the excess fields of a row longer than the header (a tab
    inside an unquoted field, which shifts every later column), and that row must
    be an error. Shorter rows are accepted (MAF writers commonly trim trailing
    empty fields); blank lines are skipped.
    Raises InputFileError naming the file for a missing header, missing required
    columns or a row with more fields than the header.
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
            rows = _wanted_fields(csv.reader(handle, delimiter="\t"), header, wanted, path, skipped + 1, what)
    except (UnicodeDecodeError, EOFError, gzip.BadGzipFile, OSError, zlib.error, csv.Error) as exc:
        if isinstance(exc, InputFileError):
            raise
        raise InputFileError(path, f"cannot be read as text ({exc})") from exc
    table = pd.DataFrame(rows, columns=wanted, dtype=object)
    return table.mask(table.isin(MISSING_MARKERS))


def _wanted_fields(
    reader, header: list[str], wanted: list[str], path: Path, lines_before: int, what: str
) -> list[tuple[str, ...]]:
    """The `wanted` fields of every data row; a row longer than the header is an error naming its line."""
    width = len(header)
    pick = itemgetter(*[header.index(column) for column in wanted])
    single = len(wanted) == 1
    # Equal values share one string object: a MAF repeats a few thousand genes and samples over
    # millions of rows, so the table's memory follows the distinct values, not the rows.
    shared: dict[str, str] = {}
    share = shared.setdefault
    rows = []
    for row in reader:
        if len(row) != width:
            if not row:
                continue
            if len(row) > width:
                raise InputFileError(
                    path,
                    f"malformed {what}: line {lines_before + reader.line_num} has {len(row)} fields, "
                    f"the header has {width}",
                )
            row += [""] * (width - len(row))
        picked = (pick(row),) if single else pick(row)
        rows.append(tuple(share(value, value) for value in picked))
    return rows
