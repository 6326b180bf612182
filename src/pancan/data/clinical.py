"""Clinical covariates per patient, with the snapshot's column names on every source."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pancan.data.tables import read_tsv
from pancan.errors import InputFileError

# cBioPortal PanCanAtlas patient attributes -> the snapshot's column names.
CBIOPORTAL_CLINICAL = {
    "AGE": "age_at_diagnosis_years",
    "SEX": "gender",
    "AJCC_PATHOLOGIC_TUMOR_STAGE": "pathologic_stage",
    "PATH_T_STAGE": "pathologic_t",
    "PATH_N_STAGE": "pathologic_n",
    "PATH_M_STAGE": "pathologic_m",
    "CLINICAL_STAGE": "clinical_stage",
    "GRADE": "neoplasm_histologic_grade",
    "SUBTYPE": "subtype",
}
NUMERIC_COLUMNS = {"age_at_diagnosis_years", "breslow_depth_mm"}


def tidy_clinical(table: pd.DataFrame) -> pd.DataFrame:
    """Trim and lower-case text covariates and make numeric ones numeric, as in the snapshot."""
    tidy = pd.DataFrame({"patient_id": table["patient_id"].astype("string").str.strip().str.upper()})
    for column in table.columns.drop("patient_id"):
        if column in NUMERIC_COLUMNS:
            tidy[column] = pd.to_numeric(table[column], errors="coerce")
        else:
            tidy[column] = table[column].astype("string").str.strip().str.lower()
    return tidy


def one_row_per_patient(table: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """Drop repeated identical rows; two different rows for one patient are an error naming both."""
    table = table.drop_duplicates()
    repeated = table["patient_id"].duplicated(keep=False)
    if repeated.any():
        patient = table.loc[repeated, "patient_id"].iloc[0]
        rows = table[table["patient_id"] == patient]
        differing = [c for c in rows.columns if rows[c].nunique(dropna=False) > 1]
        raise InputFileError(
            path,
            f"patient {patient} has {len(rows)} conflicting clinical rows (they differ in {', '.join(differing)}); "
            "keep one row per patient",
        )
    return table.reset_index(drop=True)


def read_snapshot_clinical(path: str | Path) -> pd.DataFrame:
    """Snapshot clinical.tsv: patient_id plus the covariates available for the type."""
    return one_row_per_patient(
        tidy_clinical(read_tsv(path, ["patient_id"], all_columns=True, what="clinical table")), path
    )


def clinical_from_cbioportal(patients: pd.DataFrame, path: str | Path = "clinical patient file") -> pd.DataFrame:
    """Known covariates of a cBioPortal patient table, renamed to the snapshot's names."""
    present = {k: v for k, v in CBIOPORTAL_CLINICAL.items() if k in patients.columns}
    table = patients[["PATIENT_ID", *present]].rename(columns={"PATIENT_ID": "patient_id", **present})
    return one_row_per_patient(tidy_clinical(table), path)
