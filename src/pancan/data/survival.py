"""Survival endpoints (time in days, event 0/1) from cBioPortal or snapshot tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pancan.data.tables import read_tsv
from pancan.errors import InputFileError

# cBioPortal reports survival in months; 365.25 / 12 days per month (a Julian
# year over 12) is the conversion used throughout. TCGA sources give whole days,
# so a round trip is accurate to well under a day.
DAYS_PER_MONTH = 365.25 / 12
SURVIVAL_COLUMNS = ["patient_id", "time_days", "event"]
# TCGA-CDR's endpoints (Liu et al., Cell 2018) and the prefix of their <prefix>_STATUS / <prefix>_MONTHS columns in
# cBioPortal's PanCanAtlas studies, which name the progression-free and disease-free intervals PFS and DFS.
ENDPOINTS = ("OS", "DSS", "DFI", "PFI")
CBIOPORTAL_PREFIX = {"OS": "OS", "DSS": "DSS", "DFI": "DFS", "PFI": "PFS"}


def parse_status(values: pd.Series, path: Path, column: str) -> pd.Series:
    """cBioPortal status ('1:DECEASED', '0:LIVING', '1:PROGRESSION', bare 0/1) to a 0/1 float (NaN if missing)."""
    text = values.astype("string").str.strip().str.upper()
    code = text.str.extract(r"^([01])(?::|$)", expand=False)
    words = text.map({"DECEASED": "1", "DEAD": "1", "LIVING": "0", "ALIVE": "0"}, na_action="ignore").astype("string")
    code = code.fillna(words)
    bad = text.notna() & code.isna()
    if bad.any():
        example = text[bad].iloc[0]
        raise InputFileError(
            path, f"column {column} has unrecognised status {example!r} (expected e.g. '1:DECEASED' or '0:LIVING')"
        )
    return pd.to_numeric(code, errors="raise").astype(float)


def parse_time(values: pd.Series, path: Path, column: str) -> pd.Series:
    """Numeric times (NaN where missing); a non-numeric value is a malformed file."""
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & numbers.isna()
    if bad.any():
        raise InputFileError(path, f"column {column} has non-numeric time {values[bad].iloc[0]!r}")
    return numbers.astype(float)


def read_snapshot_survival(path: str | Path, endpoint: str = "OS") -> pd.DataFrame:
    """Snapshot survival.tsv (patient_id, os_days, os_event): overall survival only."""
    path = Path(path)
    if endpoint != "OS":
        raise InputFileError(
            path, f"the snapshot has overall survival only; endpoint {endpoint!r} needs data_source: cbioportal"
        )
    table = read_tsv(path, ["patient_id", "os_days", "os_event"], what="survival table")
    return pd.DataFrame(
        {
            "patient_id": table["patient_id"].astype("string").str.strip().str.upper(),
            "time_days": parse_time(table["os_days"], path, "os_days"),
            "event": parse_status(table["os_event"], path, "os_event"),
        }
    )


def endpoint_columns(endpoint: str) -> tuple[str, str]:
    """The cBioPortal status and months columns of a TCGA-CDR endpoint: PFI -> (PFS_STATUS, PFS_MONTHS)."""
    if endpoint not in CBIOPORTAL_PREFIX:
        raise ValueError(f"survival endpoint {endpoint!r}: expected one of {', '.join(ENDPOINTS)}")
    prefix = CBIOPORTAL_PREFIX[endpoint]
    return f"{prefix}_STATUS", f"{prefix}_MONTHS"


def cbioportal_endpoints(patients: pd.DataFrame) -> list[str]:
    """The endpoints whose status and months columns the patient table has (OS, DSS, DFI, PFI order)."""
    return [e for e in ENDPOINTS if all(column in patients.columns for column in endpoint_columns(e))]


def survival_from_cbioportal(
    patients: pd.DataFrame, path: str | Path, endpoint: str = "OS", days_per_month: float = DAYS_PER_MONTH
) -> pd.DataFrame:
    """A TCGA-CDR endpoint of a cBioPortal patient table (OS_, DSS_, DFS_ for DFI, PFS_ for PFI), times in days."""
    path = Path(path)
    status, months = endpoint_columns(endpoint)
    missing = [c for c in ("PATIENT_ID", status, months) if c not in patients.columns]
    if missing:
        found = cbioportal_endpoints(patients)
        raise InputFileError(
            path,
            f"clinical patient file lacks survival column(s) {', '.join(missing)} for endpoint {endpoint}; "
            f"it has {', '.join(found) if found else 'no endpoint'} (survival.endpoint, survival.endpoint_by_cancer)",
        )
    return pd.DataFrame(
        {
            "patient_id": patients["PATIENT_ID"].astype("string").str.strip().str.upper(),
            "time_days": parse_time(patients[months], path, months) * days_per_month,
            "event": parse_status(patients[status], path, status),
        }
    )


def clean_survival(
    survival: pd.DataFrame, path: str | Path, drop_zero_time: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop patients with missing/negative (optionally zero) time or missing event.

    Returns (kept, dropped[patient_id, reason]). Repeated identical rows count
    once; a patient with two different survival rows is a malformed file.
    """
    survival = survival.drop_duplicates().reset_index(drop=True)
    duplicated = survival["patient_id"].duplicated(keep=False)
    if duplicated.any():
        raise InputFileError(
            path, f"patient {survival.loc[duplicated, 'patient_id'].iloc[0]} has conflicting survival rows"
        )
    time, event = survival["time_days"], survival["event"]
    reason = pd.Series(pd.NA, index=survival.index, dtype="string")
    reason[time.isna()] = "missing survival time"
    reason[reason.isna() & (time < 0)] = "negative survival time"
    if drop_zero_time:
        reason[reason.isna() & (time == 0)] = "zero survival time (drop_zero_time is on)"
    reason[reason.isna() & event.isna()] = "missing survival status"
    dropped = survival.loc[reason.notna(), ["patient_id"]].assign(reason=reason[reason.notna()])
    kept = survival[reason.isna()].copy()
    kept["event"] = kept["event"].astype(np.int8)
    return kept.reset_index(drop=True), dropped.reset_index(drop=True)
