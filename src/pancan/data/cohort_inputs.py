"""Read one cancer type's raw inputs (snapshot or cBioPortal study) into the common tables build_cohort takes."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pancan.data.barcodes import patient_ids
from pancan.data.cancer_split import accepted_types, acronym_types, patient_cancer_types
from pancan.data.cancer_types import COMBINED_STUDIES, TCGA_CODES
from pancan.data.cbioportal import read_case_list, read_clinical_patients, read_sample_patients, read_sample_table
from pancan.data.clinical import clinical_from_cbioportal, read_snapshot_clinical
from pancan.data.drop_log import DropLog
from pancan.data.mutation_calls import read_maf, read_snapshot_calls
from pancan.data.survival import (
    DAYS_PER_MONTH,
    cbioportal_endpoints,
    read_snapshot_survival,
    survival_from_cbioportal,
)

logger = logging.getLogger(__name__)


@dataclass
class CohortInputs:
    """The tables build_cohort takes, plus what the cohort summary reports.

    `endpoints` holds every endpoint the data has (the chosen one included), for
    the events the summary lists per endpoint; `case_list` the samples profiled for
    mutations (None: the study has no case list, the MAF's samples are taken).
    """

    calls: pd.DataFrame
    survival: pd.DataFrame
    clinical: pd.DataFrame
    sample_to_patient: dict[str, str] | None
    survival_path: Path
    endpoints: dict[str, pd.DataFrame] = field(default_factory=dict)
    case_list: list[str] | None = None
    case_list_path: Path | None = None


def snapshot_inputs(
    mutations: str | Path, survival: str | Path, clinical: str | Path, endpoint: str = "OS"
) -> CohortInputs:
    """The bundled snapshot's per-type files (overall survival only)."""
    table = read_snapshot_survival(survival, endpoint)
    return CohortInputs(
        calls=read_snapshot_calls(mutations),
        survival=table,
        clinical=read_snapshot_clinical(clinical),
        sample_to_patient=None,
        survival_path=Path(survival),
        endpoints={"OS": table},
    )


def cbioportal_inputs(
    mutations: str | Path,
    clinical_patient: str | Path,
    clinical_sample: str | Path,
    endpoint: str = "OS",
    days_per_month: float = DAYS_PER_MONTH,
    *,
    case_list: str | Path | None = None,
    cancer: str | None = None,
    study: str | None = None,
    log: DropLog | None = None,
) -> CohortInputs:
    """A cBioPortal study's MAF, clinical patient/sample files and (optional) case list.

    Given `cancer`, the inputs hold that type's patients only (select_cancer_type):
    when `study` is a combined study (COADREAD) and `cancer` one of its types, by
    each patient's cancer type; otherwise a patient whose CANCER_TYPE_ACRONYM names
    another TCGA type is left out. Those left out are counted in `log`.
    """
    patients = read_clinical_patients(clinical_patient)
    endpoints = {
        name: survival_from_cbioportal(patients, clinical_patient, name, days_per_month)
        for name in cbioportal_endpoints(patients)
    }
    survival = endpoints.get(endpoint)
    if survival is None:  # raises, naming the missing columns and the endpoints the file has
        survival = survival_from_cbioportal(patients, clinical_patient, endpoint, days_per_month)
    inputs = CohortInputs(
        calls=read_maf(mutations),
        survival=survival,
        clinical=clinical_from_cbioportal(patients, clinical_patient),
        sample_to_patient=read_sample_patients(clinical_sample),
        survival_path=Path(clinical_patient),
        endpoints=endpoints,
        case_list=read_case_list(case_list) if case_list is not None else None,
        case_list_path=Path(case_list) if case_list is not None else None,
    )
    if cancer is not None:
        select_cancer_type(inputs, patients, clinical_patient, clinical_sample, cancer, study or cancer, log)
    return inputs


def select_cancer_type(
    inputs: CohortInputs,
    patients: pd.DataFrame,
    patient_path: str | Path,
    sample_path: str | Path,
    cancer: str,
    study: str,
    log: DropLog | None = None,
) -> CohortInputs:
    """Keep the patients of `cancer` only, in place; each patient left out is a cancer_type row of `log`.

    Reading COAD (or READ) out of the combined COADREAD study, every patient needs
    its type (cancer_split.patient_cancer_types): those of the other type, and
    those whose type the study does not tell, are left out. Reading a type from
    its own study, only patients whose CANCER_TYPE_ACRONYM names another TCGA type
    are left out (a warning: the study mixes types). Their calls are counted in
    the calls rows; their survival, clinical and case-list entries are dropped,
    so they appear nowhere else in the drop log.
    """
    log = log if log is not None else DropLog()
    if study != cancer and cancer in COMBINED_STUDIES.get(study, ()):
        samples = read_sample_table(sample_path)
        types = patient_cancer_types(patients, samples, COMBINED_STUDIES[study], patient_path, sample_path, study)
        # patients of the MAF in neither clinical file: no type either
        in_maf = pd.unique(patient_ids(inputs.calls["sample_id"], inputs.sample_to_patient).dropna())
        unseen = sorted(set(in_maf) - set(types["patient_id"]))
        types = pd.concat([types, pd.DataFrame({"patient_id": unseen})], ignore_index=True) if unseen else types
        named = types["cancer_type"].astype("string")
        keep = set(types.loc[(named == cancer).fillna(False).to_numpy(), "patient_id"])
        left_out = types[(named != cancer).fillna(False).to_numpy()]
        untold = types[named.isna().to_numpy()]
        where = f"study {study}"
    elif cancer in TCGA_CODES:
        types = acronym_types(patients)
        left_out = types[~types["cancer_type"].isin(accepted_types(cancer))]
        untold = types.iloc[:0]
        keep = None
        where = "its own study"
    else:
        return inputs
    reasons = [
        f"patient of {row.cancer_type} ({row.source}), not {cancer}: left out of {cancer}"
        for row in left_out.itertuples()
    ]
    rows = pd.DataFrame({"patient_id": left_out["patient_id"], "reason": reasons})
    if len(untold):
        told_by = "CANCER_TYPE_ACRONYM, ONCOTREE_CODE or CANCER_TYPE_DETAILED"
        rows = pd.concat(
            [rows, untold[["patient_id"]].assign(reason=f"cancer type not told by {told_by} of {where}: left out")],
            ignore_index=True,
        )
    log.items("cancer_type", rows, "patient_id")
    if keep is None and len(rows):
        logger.warning(
            "%s: %d patient(s) of other cancer types (%s, by CANCER_TYPE_ACRONYM) left out of %s",
            patient_path,
            len(rows),
            ", ".join(sorted(set(left_out["cancer_type"]))),
            cancer,
        )

    def kept(ids: pd.Series) -> pd.Series:
        ids = ids.astype("string")
        return ids.isin(keep) if keep is not None else ~ids.isin(set(rows["patient_id"]))

    call_patients = patient_ids(inputs.calls["sample_id"], inputs.sample_to_patient)
    mask = kept(call_patients).fillna(False).astype(bool)
    other = set(left_out.loc[left_out["cancer_type"].notna(), "patient_id"])
    of_other = (~mask & call_patients.isin(other)).fillna(False).astype(bool)
    log.count("calls", "call of a patient of another cancer type (see the cancer_type rows)", int(of_other.sum()))
    log.count(
        "calls",
        "call of a patient whose cancer type is not told (see the cancer_type rows)",
        int((~mask & ~of_other).sum()),
    )
    inputs.calls = inputs.calls[mask.to_numpy()].reset_index(drop=True)
    inputs.survival = inputs.survival[kept(inputs.survival["patient_id"]).to_numpy()].reset_index(drop=True)
    inputs.endpoints = {
        name: table[kept(table["patient_id"]).to_numpy()].reset_index(drop=True)
        for name, table in inputs.endpoints.items()
    }
    inputs.clinical = inputs.clinical[kept(inputs.clinical["patient_id"]).to_numpy()].reset_index(drop=True)
    if inputs.case_list is not None:
        listed = pd.Series(inputs.case_list, dtype="string")
        inputs.case_list = listed[kept(patient_ids(listed, inputs.sample_to_patient)).fillna(False).to_numpy()].tolist()
    return inputs
