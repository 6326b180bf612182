"""Each patient's cancer type in a cBioPortal study, to read one type out of a study that holds several.

The datahub keeps COAD and READ in one study, coadread_tcga_pan_can_atlas_2018. A patient's type is, first, the
patient file's CANCER_TYPE_ACRONYM (the TCGA project, which the PanCanAtlas patient files carry); else the type
its samples' ONCOTREE_CODE names (COAD, READ), else their CANCER_TYPE_DETAILED (Colon / Rectal Adenocarcinoma).
The acronym comes first because a sample's OncoTree code may name neither type (MACR, mucinous adenocarcinoma of
the colon and rectum).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pancan.data.cancer_types import COMBINED_STUDIES, TCGA_CODES
from pancan.errors import InputFileError

ACRONYM = "CANCER_TYPE_ACRONYM"
SAMPLE_SOURCES = ("ONCOTREE_CODE", "CANCER_TYPE_DETAILED")
# CANCER_TYPE_DETAILED values (lower case) naming one TCGA type of a combined study.
DETAILED_TYPES = {"colon adenocarcinoma": "COAD", "rectal adenocarcinoma": "READ"}
TYPE_COLUMNS = ["patient_id", "cancer_type", "source"]


def _codes(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip().str.upper()


def _sample_types(samples: pd.DataFrame, members: Sequence[str]) -> pd.DataFrame:
    """patient_id, cancer_type, source of each sample whose ONCOTREE_CODE or CANCER_TYPE_DETAILED names a member."""
    found = pd.Series(pd.NA, index=samples.index, dtype="string")
    source = pd.Series(pd.NA, index=samples.index, dtype="string")
    for column in SAMPLE_SOURCES:
        if column not in samples.columns:
            continue
        codes = _codes(samples[column])
        if column == "CANCER_TYPE_DETAILED":
            named = samples[column].astype("string").str.strip().str.lower().map(DETAILED_TYPES).astype("string")
            codes = named.fillna(codes)
        usable = found.isna() & codes.isin(list(members))
        found[usable] = codes[usable]
        source[usable] = column
    return pd.DataFrame({"patient_id": samples["PATIENT_ID"], "cancer_type": found, "source": source}).dropna()


def patient_cancer_types(
    patients: pd.DataFrame,
    samples: pd.DataFrame,
    members: Sequence[str],
    patient_path: str | Path,
    sample_path: str | Path,
    study: str,
) -> pd.DataFrame:
    """Every patient of the two clinical files with its cancer type (NA when the study does not tell) and source.

    `patients` is the clinical patient table (PATIENT_ID, CANCER_TYPE_ACRONYM when
    present), `samples` the sample table (SAMPLE_ID, PATIENT_ID, ONCOTREE_CODE and
    CANCER_TYPE_DETAILED when present). An acronym that is any TCGA code counts (a
    patient of another type is then left out); the samples' columns count only when
    they name one of `members`, and a patient whose samples name two types is not
    told. Raises InputFileError naming both files when the study has none of the
    three columns, since no patient could then be given a type.
    """
    has_acronym = ACRONYM in patients.columns
    if not has_acronym and not any(column in samples.columns for column in SAMPLE_SOURCES):
        raise InputFileError(
            sample_path,
            f"study {study} holds {' and '.join(members)}, but neither {patient_path} has {ACRONYM} nor this file "
            f"{' or '.join(SAMPLE_SOURCES)}, so no sample's cancer type is known; add one of these columns, or read "
            f"the study whole (cancer_types: [{study}], or cbioportal.coadread: whole with cancer_types: [all])",
        )
    ids = _codes(patients["PATIENT_ID"])
    table = pd.DataFrame({"patient_id": pd.unique(pd.concat([ids, samples["PATIENT_ID"].astype("string")]).dropna())})
    acronyms = pd.Series(pd.NA, index=table.index, dtype="string")
    if has_acronym:
        given = pd.Series(_codes(patients[ACRONYM]).to_numpy(), index=ids.to_numpy())
        given = given[given.isin(TCGA_CODES)]
        given = given[~given.index.duplicated()]
        acronyms = table["patient_id"].map(given).astype("string")
    by_samples = _sample_types(samples, members).drop_duplicates(["patient_id", "cancer_type"])
    told = by_samples[~by_samples["patient_id"].duplicated(keep=False)].set_index("patient_id")
    table["cancer_type"] = acronyms.fillna(table["patient_id"].map(told["cancer_type"]).astype("string"))
    table["source"] = pd.Series(ACRONYM, index=table.index, dtype="string").where(acronyms.notna())
    table["source"] = table["source"].fillna(table["patient_id"].map(told["source"]).astype("string"))
    return table[TYPE_COLUMNS]


def acronym_types(patients: pd.DataFrame) -> pd.DataFrame:
    """patient_id, cancer_type, source of the patients whose CANCER_TYPE_ACRONYM is a TCGA code (empty without it)."""
    if ACRONYM not in patients.columns:
        return pd.DataFrame(columns=TYPE_COLUMNS)
    table = pd.DataFrame({"patient_id": _codes(patients["PATIENT_ID"]), "cancer_type": _codes(patients[ACRONYM])})
    table = table[table["cancer_type"].isin(TCGA_CODES)].drop_duplicates("patient_id")
    return table.assign(source=ACRONYM)[TYPE_COLUMNS].reset_index(drop=True)


def accepted_types(cancer: str) -> set[str]:
    """The types a cohort of `cancer` holds: itself, and a combined study kept whole its members (COADREAD)."""
    return {cancer, *COMBINED_STUDIES.get(cancer, ())}
