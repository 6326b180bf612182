"""Sample selection and survival endpoints."""

import pandas as pd
import pytest

from pancan.data.barcodes import patient_ids, select_tumour_samples
from pancan.data.survival import DAYS_PER_MONTH, clean_survival, parse_status, survival_from_cbioportal
from pancan.errors import InputFileError

PRIMARY_FIRST = ["01", "03", "05", "02", "06", "07"]
METASTATIC_FIRST = ["06", "07", "01", "03", "05", "02"]


def test_patient_is_first_twelve_characters_of_tcga_barcodes():
    samples = pd.Series(["TCGA-05-4244-01A-01D-1105-08", "tcga-05-4244-11", "TEST_SAMPLE_1"])
    assert patient_ids(samples).tolist()[:2] == ["TCGA-05-4244", "TCGA-05-4244"]
    assert pd.isna(patient_ids(samples).iloc[2])
    assert patient_ids(samples, {"TEST_SAMPLE_1": "TEST_PATIENT_1"}).iloc[2] == "TEST_PATIENT_1"


def test_primary_preferred_normals_dropped_ties_deterministic():
    samples = [
        "TCGA-AA-0001-06A",
        "TCGA-AA-0001-01B",
        "TCGA-AA-0001-01A",
        "TCGA-AA-0002-06A",
        "TCGA-AA-0003-11A",
        "TCGA-AA-0004-01A",
        "TCGA-AA-0004-08A",
    ]
    chosen, dropped = select_tumour_samples(samples, PRIMARY_FIRST)
    assert dict(zip(chosen["patient_id"], chosen["sample_id"])) == {
        "TCGA-AA-0001": "TCGA-AA-0001-01A",
        "TCGA-AA-0002": "TCGA-AA-0002-06A",
        "TCGA-AA-0004": "TCGA-AA-0004-01A",
    }
    reasons = dict(zip(dropped["sample_id"], dropped["reason"]))
    assert reasons["TCGA-AA-0003-11A"] == "normal or control sample type"
    assert reasons["TCGA-AA-0004-08A"] == "tumour sample type not in preference list"
    assert (
        reasons["TCGA-AA-0001-06A"] == reasons["TCGA-AA-0001-01B"] == "another sample of the same patient was preferred"
    )
    # order of input does not matter
    again, _ = select_tumour_samples(list(reversed(samples)), PRIMARY_FIRST)
    assert again.equals(chosen)


def test_metastatic_first_for_skcm():
    chosen, _ = select_tumour_samples(["TCGA-EE-0001-01A", "TCGA-EE-0001-06A"], METASTATIC_FIRST)
    assert chosen["sample_id"].tolist() == ["TCGA-EE-0001-06A"]


def test_status_parsing():
    parsed = parse_status(
        pd.Series(["1:DECEASED", "0:LIVING", "1:PROGRESSION", None, "DECEASED", "0"]), "f", "OS_STATUS"
    )
    assert parsed.iloc[[0, 1, 2, 4, 5]].tolist() == [1, 0, 1, 1, 0]
    assert pd.isna(parsed.iloc[3])
    with pytest.raises(InputFileError, match="unrecognised status 'MAYBE'"):
        parse_status(pd.Series(["MAYBE"]), "f", "OS_STATUS")


def test_months_to_days_and_missing_columns():
    patients = pd.DataFrame(
        {"PATIENT_ID": ["P1", "P2"], "OS_STATUS": ["1:DECEASED", "0:LIVING"], "OS_MONTHS": ["12", "0.5"]}
    )
    survival = survival_from_cbioportal(patients, "patients.txt")
    assert survival["time_days"].tolist() == pytest.approx([12 * 365.25 / 12, 0.5 * DAYS_PER_MONTH])
    with pytest.raises(InputFileError, match="patients.txt: clinical patient file lacks survival column.*DSS_STATUS"):
        survival_from_cbioportal(patients, "patients.txt", endpoint="DSS")
    patients.loc[0, "OS_MONTHS"] = "twelve"
    with pytest.raises(InputFileError, match="non-numeric time 'twelve'"):
        survival_from_cbioportal(patients, "patients.txt")


def test_negative_missing_and_zero_times_are_dropped_and_counted():
    survival = pd.DataFrame(
        {
            "patient_id": ["A", "B", "C", "D", "E"],
            "time_days": [10.0, -3.0, None, 0.0, 5.0],
            "event": [1, 0, 1, 1, None],
        }
    )
    kept, dropped = clean_survival(survival, "s.tsv")
    assert kept["patient_id"].tolist() == ["A", "D"]
    assert dict(zip(dropped["patient_id"], dropped["reason"])) == {
        "B": "negative survival time",
        "C": "missing survival time",
        "E": "missing survival status",
    }
    kept, dropped = clean_survival(survival, "s.tsv", drop_zero_time=True)
    assert kept["patient_id"].tolist() == ["A"]
    kept, _ = clean_survival(pd.concat([survival, survival.head(1)]), "s.tsv")  # a repeated identical row counts once
    assert kept["patient_id"].tolist() == ["A", "D"]
    with pytest.raises(InputFileError, match="s.tsv: patient A has conflicting survival rows"):
        clean_survival(pd.concat([survival, survival.head(1).assign(time_days=11.0)]), "s.tsv")
