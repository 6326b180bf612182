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
    """The mapping equals an independent split of the raw file's rows (after its '#' lines and header)."""
    mapping = read_sample_patients(STUDY_ES_0 / "data_clinical_samples.txt")
    lines = [line.split("\t") for line in (STUDY_ES_0 / "data_clinical_samples.txt").read_text().splitlines()]
    rows = [line for line in lines if not line[0].startswith("#")]
    patient, sample = rows[0].index("PATIENT_ID"), rows[0].index("SAMPLE_ID")
    assert mapping == {row[sample]: row[patient] for row in rows[1:]}
    assert mapping["TCGA-A1-A0SK-01"] == "TCGA-A1-A0SK" and len(mapping) == len(rows) - 1 > 700


def test_sample_listed_for_two_patients_is_an_error(tmp_path):
    """A sample's mutations would otherwise go to whichever patient came last."""
    text = (STUDY_ES_0 / "data_clinical_samples.txt").read_text()
    path = tmp_path / "data_clinical_sample.txt"
    path.write_text(text + text.splitlines()[-1] + "\n")  # an identical row: counted once
    assert read_sample_patients(path) == read_sample_patients(STUDY_ES_0 / "data_clinical_samples.txt")
    last = text.splitlines()[-1].split("\t")
    patient, sample = last[0], last[1]
    with open(path, "a") as handle:
        handle.write("\t".join(["TCGA-ZZ-9999", sample, *last[2:]]) + "\n")
    with pytest.raises(
        InputFileError,
        match=rf"data_clinical_sample.txt: sample {sample} is listed for 2 patients \({patient}, TCGA-ZZ-9999\); "
        "a sample belongs to one patient: keep the right row$",
    ):
        read_sample_patients(path)


@pytest.mark.parametrize("gzipped", [False, True], ids=["text", "gzip"])
def test_byte_order_mark_from_excel_is_ignored(tmp_path, gzipped):
    """Excel saves UTF-8 with a byte-order mark: the first column is still PATIENT_ID."""
    raw = (STUDY_ES_0 / "data_clinical_patients.txt").read_bytes()
    data = b"\xef\xbb\xbf" + raw
    path = tmp_path / "data_clinical_patient.txt"
    path.write_bytes(gzip.compress(data) if gzipped else data)
    pd.testing.assert_frame_equal(
        read_clinical_patients(path), read_clinical_patients(STUDY_ES_0 / "data_clinical_patients.txt")
    )
    headerless = tmp_path / "samples.txt"  # no '#' lines: the mark sits right before the header
    headerless.write_bytes(b"\xef\xbb\xbfPATIENT_ID\tSAMPLE_ID\nP1\tS1\n")
    assert read_sample_patients(headerless) == {"S1": "P1"}


def test_a_row_longer_than_its_header_is_named_even_when_its_extra_field_is_empty(tmp_path):
    """An unquoted tab inside a field shifts every later column; the row is refused with its line number."""
    path = tmp_path / "shifted.maf"
    path.write_text(
        "#version 2.4\nHugo_Symbol\tTumor_Sample_Barcode\tVariant_Classification\tNote\n"
        "TP53\tTCGA-AA-0001-01\tMissense_Mutation\t\n"
        "KRAS\tTCGA-AA-0002-01\tMissense\tMutation\t\n"
    )
    with pytest.raises(InputFileError, match=r"shifted.maf: malformed MAF: line 4 has 5 fields, the header has 4$"):
        read_maf(path)
    assert read_tsv(STUDY_ES_0 / "data_clinical_samples.txt", ["SAMPLE_ID"])["SAMPLE_ID"].tolist() == list(
        read_sample_patients(STUDY_ES_0 / "data_clinical_samples.txt")
    )
