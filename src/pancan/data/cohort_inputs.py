"""Read one cancer type's raw inputs (snapshot or cBioPortal study) into the common tables build_cohort takes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pancan.data.cbioportal import read_clinical_patients, read_sample_patients
from pancan.data.clinical import clinical_from_cbioportal, read_snapshot_clinical
from pancan.data.mutation_calls import read_maf, read_snapshot_calls
from pancan.data.survival import DAYS_PER_MONTH, read_snapshot_survival, survival_from_cbioportal


@dataclass
class CohortInputs:
    calls: pd.DataFrame
    survival: pd.DataFrame
    clinical: pd.DataFrame
    sample_to_patient: dict[str, str] | None
    survival_path: Path


def snapshot_inputs(
    mutations: str | Path, survival: str | Path, clinical: str | Path, endpoint: str = "OS"
) -> CohortInputs:
    """The bundled snapshot's per-type files."""
    return CohortInputs(
        calls=read_snapshot_calls(mutations),
        survival=read_snapshot_survival(survival, endpoint),
        clinical=read_snapshot_clinical(clinical),
        sample_to_patient=None,
        survival_path=Path(survival),
    )


def cbioportal_inputs(
    mutations: str | Path,
    clinical_patient: str | Path,
    clinical_sample: str | Path,
    endpoint: str = "OS",
    days_per_month: float = DAYS_PER_MONTH,
) -> CohortInputs:
    """A cBioPortal study's MAF and clinical patient/sample files."""
    patients = read_clinical_patients(clinical_patient)
    return CohortInputs(
        calls=read_maf(mutations),
        survival=survival_from_cbioportal(patients, clinical_patient, endpoint, days_per_month),
        clinical=clinical_from_cbioportal(patients, clinical_patient),
        sample_to_patient=read_sample_patients(clinical_sample),
        survival_path=Path(clinical_patient),
    )
