"""Downloads against a real HTTP server on 127.0.0.1: success, retries, and each failure case."""

import hashlib
import json

import pytest
from helpers import STUDY_ES_0, cbioportal_study_files, study_archive, tar_gz

from pancan.data.cbioportal import extract_members
from pancan.data.cohort import build_cohort
from pancan.data.cohort_inputs import cbioportal_inputs
from pancan.data.download import download, download_locked
from pancan.errors import ChecksumMismatchError, DownloadError
from pancan.data.mutation_calls import NON_SILENT_CLASSES

FAST = {"timeout": 1.0, "retries": 2, "backoff": 0.01}
STUDY_OUTPUTS = ("mutations", "clinical_patient", "clinical_sample")


def no_partial_files(folder):
    return not [p for p in folder.rglob("*") if p.name.endswith(".part")]


def test_download_writes_file_and_lock(server, tmp_path):
    payload = b"hello world" * 1000
    server.files["/data.bin"] = payload
    lock = tmp_path / "locks" / "data.json"
    record = download_locked(f"{server.url}/data.bin", tmp_path / "data.bin", lock, **FAST)
    assert (tmp_path / "data.bin").read_bytes() == payload
    assert record.sha256 == hashlib.sha256(payload).hexdigest() and record.size == len(payload)
    assert json.loads(lock.read_text())["sha256"] == record.sha256
    # a rerun with unchanged upstream passes against the lock
    download_locked(f"{server.url}/data.bin", tmp_path / "again.bin", lock, **FAST)


def test_changed_upstream_fails_against_lock(server, tmp_path):
    server.files["/data.bin"] = b"version 1"
    lock = tmp_path / "lock.json"
    download_locked(f"{server.url}/data.bin", tmp_path / "data.bin", lock, **FAST)
    server.files["/data.bin"] = b"version 2"
    with pytest.raises(ChecksumMismatchError, match="checksum mismatch.*delete that lock file"):
        download_locked(f"{server.url}/data.bin", tmp_path / "new.bin", lock, **FAST)
    assert not (tmp_path / "new.bin").exists() and no_partial_files(tmp_path)


def test_transient_errors_are_retried(server, tmp_path):
    server.files["/flaky"] = b"payload"
    server.faults["/flaky"] = [503, "truncate"]
    download(f"{server.url}/flaky", tmp_path / "flaky", **FAST)
    assert (tmp_path / "flaky").read_bytes() == b"payload"
    assert server.requests.count("/flaky") == 3


def test_not_found_fails_at_once_with_the_url(server, tmp_path):
    with pytest.raises(DownloadError, match=r"127\.0\.0\.1:\d+/missing: HTTP 404"):
        download(f"{server.url}/missing", tmp_path / "missing", **FAST)
    assert server.requests == ["/missing"]
    assert not (tmp_path / "missing").exists()


def test_truncated_download_fails_after_retries(server, tmp_path):
    server.files["/big"] = bytes(range(256)) * 4000
    server.faults["/big"] = ["truncate"] * 3
    with pytest.raises(DownloadError, match=r"big: failed after 3 attempt\(s\): truncated"):
        download(f"{server.url}/big", tmp_path / "big", **FAST)
    assert not (tmp_path / "big").exists() and no_partial_files(tmp_path)


def test_timeout_is_retried_then_reported(server, tmp_path):
    server.files["/slow"] = b"x"
    server.faults["/slow"] = ["slow", "slow"]
    with pytest.raises(DownloadError, match="failed after 2 attempt"):
        download(f"{server.url}/slow", tmp_path / "slow", timeout=0.3, retries=1, backoff=0.01)


def test_unreachable_host(tmp_path):
    with pytest.raises(DownloadError, match="failed after 1 attempt"):
        download("http://127.0.0.1:9/nothing", tmp_path / "x", timeout=0.5, retries=0)


def test_study_archive_members_extracted(tmp_path):
    archive = tmp_path / "luad.tar.gz"
    files = cbioportal_study_files("GBM")
    archive.write_bytes(study_archive("GBM", files))
    outputs = {role: tmp_path / f"{role}.txt" for role in STUDY_OUTPUTS}
    extract_members(archive, outputs)
    assert outputs["mutations"].read_bytes() == files["data_mutations.txt"]


def test_truncated_archive_is_reported(tmp_path):
    data = study_archive("GBM", cbioportal_study_files("GBM"))
    archive = tmp_path / "cut.tar.gz"
    archive.write_bytes(data[: len(data) // 2])
    outputs = {role: tmp_path / f"{role}.txt" for role in STUDY_OUTPUTS}
    with pytest.raises(DownloadError, match="cut.tar.gz: truncated or corrupt archive"):
        extract_members(archive, outputs)
    assert not any(p.exists() for p in outputs.values()) and no_partial_files(tmp_path)


def test_missing_member_is_reported(tmp_path):
    archive = tmp_path / "partial.tar.gz"
    archive.write_bytes(tar_gz({"study/data_clinical_patient.txt": b"PATIENT_ID\n"}))
    with pytest.raises(DownloadError, match="partial.tar.gz: archive lacks member.*mutations: one of data_mutations.txt"):
        extract_members(archive, {role: tmp_path / f"{role}.txt" for role in STUDY_OUTPUTS})


def test_real_cbioportal_study_layout_end_to_end(server, tmp_path):
    """study_es_0 (byte-exact cBioPortal files, older member names) served, extracted and made a cohort."""
    members = {
        f"study_es_0/{name}": (STUDY_ES_0 / name).read_bytes()
        for name in ["data_mutations_extended.maf", "data_clinical_patients.txt", "data_clinical_samples.txt", "meta_study.txt"]
    }
    server.files["/study_es_0.tar.gz"] = tar_gz(members)
    archive = tmp_path / "study.tar.gz"
    download_locked(f"{server.url}/study_es_0.tar.gz", archive, tmp_path / "lock.json", **FAST)
    outputs = {role: tmp_path / f"{role}.txt" for role in STUDY_OUTPUTS}
    extract_members(archive, outputs)
    inputs = cbioportal_inputs(outputs["mutations"], outputs["clinical_patient"], outputs["clinical_sample"])
    cohort, log = build_cohort("BRCA", inputs.calls, inputs.survival, inputs.clinical, classes=NON_SILENT_CLASSES,
                               sample_preference=["01", "06"], sample_to_patient=inputs.sample_to_patient)
    # TCGA-A1-A0SB has samples -01 and -02 (recurrent, not in the preference): only -01 is used
    dropped = log.to_frame()
    assert "TCGA-A1-A0SB-02" not in set(cohort.patients["patient_id"])
    assert len(cohort.patients) >= 1
    assert cohort.patients["time_days"].ge(0).all()
    assert set(dropped["stage"]) >= {"intersect"}
