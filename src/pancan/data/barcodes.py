"""TCGA barcodes: patient of a sample and one tumour sample per patient."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

TCGA_PATIENT_PATTERN = r"^TCGA-[A-Z0-9]{2}-[A-Z0-9]{4}"
# Sample type codes 10-19 are normal tissue, 20-29 controls: never a tumour sample.
FIRST_NON_TUMOUR_CODE = 10


def patient_ids(sample_ids: pd.Series, sample_to_patient: Mapping[str, str] | None = None) -> pd.Series:
    """Patient of each sample: the first 12 characters of a TCGA barcode, else the mapping (or NA)."""
    samples = sample_ids.astype("string").str.strip().str.upper()
    is_tcga = samples.str.match(TCGA_PATIENT_PATTERN).fillna(False).astype(bool)
    patients = samples.str.slice(0, 12).where(is_tcga)
    if sample_to_patient:
        mapped = sample_ids.map(sample_to_patient).astype("string")
        patients = patients.fillna(mapped)
    return patients


def sample_type_codes(sample_ids: pd.Series) -> pd.Series:
    """Two-digit TCGA sample type (01 primary, 06 metastatic, ...), NA for 12-character patient barcodes."""
    samples = sample_ids.astype("string").str.strip().str.upper()
    return samples.str.extract(r"^TCGA-[A-Z0-9]{2}-[A-Z0-9]{4}-(\d{2})", expand=False)


def select_tumour_samples(
    sample_ids: Sequence[str],
    preference: Sequence[str],
    sample_to_patient: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Choose one tumour sample per patient.

    Samples are ranked by the position of their type code in `preference`
    (e.g. 01 primary before 06 metastatic); a barcode without a type code (a
    bare patient barcode) ranks last. Ties (two vials or portions of the same
    type) go to the lexicographically smallest barcode, so the choice is
    deterministic. Returns (chosen: sample_id, patient_id, sample_type) and
    (dropped: sample_id, reason).
    """
    samples = pd.Series(pd.unique(pd.Series(list(sample_ids), dtype="string")), dtype="string")
    table = pd.DataFrame(
        {
            "sample_id": samples,
            "patient_id": patient_ids(samples, sample_to_patient),
            "sample_type": sample_type_codes(samples),
        }
    )
    rank_of = {code: rank for rank, code in enumerate(preference)}
    codes = table["sample_type"]
    numeric = pd.to_numeric(codes, errors="coerce")
    reasons = pd.Series(pd.NA, index=table.index, dtype="string")
    reasons[table["patient_id"].isna()] = "sample id is not a TCGA barcode and has no patient in the sample file"
    reasons[reasons.isna() & (numeric >= FIRST_NON_TUMOUR_CODE)] = "normal or control sample type"
    reasons[reasons.isna() & codes.notna() & ~codes.isin(list(preference))] = (
        "tumour sample type not in preference list"
    )
    dropped = table.loc[reasons.notna(), ["sample_id"]].assign(reason=reasons[reasons.notna()].astype(object))
    candidates = table[reasons.isna()].copy()
    candidates["rank"] = codes[reasons.isna()].map(rank_of).fillna(len(preference)).astype(int)
    candidates = candidates.sort_values(["patient_id", "rank", "sample_id"], kind="stable")
    first = ~candidates["patient_id"].duplicated(keep="first")
    superseded = candidates.loc[~first, ["sample_id"]].assign(reason="another sample of the same patient was preferred")
    chosen = candidates.loc[first, ["sample_id", "patient_id", "sample_type"]].reset_index(drop=True)
    # concatenating an empty frame is deprecated (pandas FutureWarning): only the non-empty parts
    parts = [part for part in (dropped, superseded) if len(part)]
    dropped = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"sample_id": [], "reason": []})
    return chosen, dropped.astype({"sample_id": "string", "reason": object})


__all__ = ["patient_ids", "sample_type_codes", "select_tumour_samples"]
