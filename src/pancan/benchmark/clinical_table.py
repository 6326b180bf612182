"""The clinical covariates a cohort offers to the clinical model."""

from __future__ import annotations

import pandas as pd

from pancan.data.cohort import Cohort
from pancan.errors import InsufficientDataError


def clinical_covariates(cohort: Cohort, wanted) -> pd.DataFrame:
    """The wanted covariates present with at least one value, indexed by patient in cohort order.

    None present is a clear error naming the cancer type and the expected columns.
    """
    table = cohort.clinical.set_index("patient_id") if "patient_id" in cohort.clinical.columns else cohort.clinical
    present = [c for c in wanted if c in table.columns and table[c].notna().any()]
    if not present:
        raise InsufficientDataError(
            f"{cohort.cancer}: benchmark.clinical is on but the cohort has none of the covariates "
            f"{', '.join(wanted)} (benchmark.clinical_covariates); it has: {', '.join(table.columns) or 'none'}. "
            "Set benchmark.clinical: false or provide them"
        )
    return table.reindex(cohort.patients["patient_id"])[present]
