"""MAF / clinical parsing on real cBioPortal files and on malformed inputs."""

import gzip

import pandas as pd
import pytest
from helpers import STUDY_ES_0

from pancan.data.cbioportal import read_clinical_patients, read_sample_patients
from pancan.data.mutation_calls import read_maf, read_snapshot_calls
from pancan.data.tables import read_tsv
from pancan.errors import InputFileError


def test_real_cbioportal_maf_is_parsed_with_version_line():
    calls = read_maf(STUDY_ES_0 / "data_mutations_extended.maf")
    lines = (STUDY_ES_0 / "data_mutations_extended.maf").read_text().splitlines()
    raw_rows = sum(1 for line in lines if not line.startswith("#")) - 1
    assert len(calls) == raw_rows
    assert list(calls.columns) == ["sample_id", "gene", "variant_classification"]
    assert calls.loc[0, "gene"] == "OR11H1" and calls.loc[0, "sample_id"] == "TCGA-A1-A0SB-01"
    assert not calls["sample_id"].str.startswith("#").any()


def test_hash_inside_fields_and_quotes_are_kept(tmp_path):
    maf = tmp_path / "x.maf"
    maf.write_text(
        "#version 2.4\n#another header line\n"
        "Hugo_Symbol\tTumor_Sample_Barcode\tVariant_Classification\tNote\n"
        'TP53\tTCGA-AA-0001-01\tMissense_Mutation\t"a\ttab and #hash"\n'
        "KRAS#1\tTCGA-AA-0001-01\tSilent\tplain # text\n"
    )
    calls = read_maf(maf)
    assert calls["gene"].tolist() == ["TP53", "KRAS#1"]
    assert len(calls) == 2


def test_gzipped_maf(tmp_path):
    text = "Hugo_Symbol\tTumor_Sample_Barcode\tVariant_Classification\nTP53\tTCGA-AA-0001-01\tSilent\n"
    path = tmp_path / "calls.maf.gz"
    path.write_bytes(gzip.compress(text.encode()))
    assert read_maf(path)["gene"].tolist() == ["TP53"]


@pytest.mark.parametrize(
    "content, problem",
    [
        ("", "no header row"),
        ("#version 2.4\n", "no header row"),
        ("Hugo_Symbol\tVariant_Classification\nTP53\tSilent\n", "lacks required column(s) Tumor_Sample_Barcode"),
        (
            "Hugo_Symbol\tTumor_Sample_Barcode\tVariant_Classification\nTP53\tTCGA-AA-0001-01\tSilent\textra\tmore\n",
            "malformed MAF",
        ),
        ("Hugo_Symbol\tTumor_Sample_Barcode\tVariant_Classification\nTP53\t\tSilent\n", "empty sample barcode"),
    ],
)
def test_malformed_maf_names_file_and_problem(tmp_path, content, problem):
    path = tmp_path / "broken.maf"
    path.write_text(content)
    with pytest.raises(InputFileError) as error:
        read_maf(path)
    assert str(path) in str(error.value)
    assert problem in str(error.value)


def test_binary_garbage_is_a_clear_error(tmp_path):
    path = tmp_path / "garbage.maf.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage-not-gzip")
    with pytest.raises(InputFileError, match="garbage.maf.gz: cannot be read"):
        read_maf(path)


def test_missing_file():
    with pytest.raises(InputFileError, match="file not found"):
        read_snapshot_calls("/nonexistent/mutations.tsv.gz")


def test_real_clinical_patient_file_keeps_all_attributes():
    patients = read_clinical_patients(STUDY_ES_0 / "data_clinical_patients.txt")
    assert {"PATIENT_ID", "OS_STATUS", "OS_MONTHS", "DFS_STATUS"} <= set(patients.columns)
    row = patients.set_index("PATIENT_ID").loc["TCGA-A1-A0SK"]
    assert row["OS_STATUS"] == "1:DECEASED" and float(row["OS_MONTHS"]) == pytest.approx(31.77)
    # '[Not Available]' is read as missing, not kept as a value
    raw = (STUDY_ES_0 / "data_clinical_patients.txt").read_text()
    assert "[Not Available]" in raw
    assert not patients.isin(["[Not Available]"]).any().any()
    rows = [line.split("\t") for line in raw.splitlines() if not line.startswith("#")]
    column = rows[0].index("DFS_MONTHS")
    expected_missing = sum(row[column] in ("", "[Not Available]") for row in rows[1:])
    assert patients["DFS_MONTHS"].isna().sum() == expected_missing > 0


def test_real_sample_file_maps_non_tcga_samples():
    mapping = read_sample_patients(STUDY_ES_0 / "data_clinical_samples.txt")
    assert mapping["TCGA-A1-A0SK-01"] == "TCGA-A1-A0SK"
    table = read_tsv(STUDY_ES_0 / "data_clinical_samples.txt", ["PATIENT_ID", "SAMPLE_ID"])
    assert len(mapping) == len(table.dropna())
    assert isinstance(table, pd.DataFrame)
