"""Downloads against a real HTTP server on 127.0.0.1: success, retries, and each failure case."""

import gzip
import hashlib
import json
import random
import re
import signal
import subprocess
import sys
import time

import pytest
from helpers import STUDY_ES_0, cbioportal_study_files, study_archive, tar_gz

from pancan.data.cbioportal import download_study, extract_members
from pancan.data.cohort import build_cohort
from pancan.data.cohort_inputs import cbioportal_inputs
from pancan.data.download import check_gzip, download, download_locked, retry_delay
from pancan.data.mutation_calls import NON_SILENT_CLASSES
from pancan.errors import ChecksumMismatchError, DownloadError

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
    with pytest.raises(
        DownloadError, match="partial.tar.gz: archive lacks member.*mutations: one of data_mutations.txt"
    ):
        extract_members(archive, {role: tmp_path / f"{role}.txt" for role in STUDY_OUTPUTS})


def test_real_cbioportal_study_layout_end_to_end(server, tmp_path):
    """study_es_0 (byte-exact cBioPortal files, older member names) served, extracted and made a cohort."""
    members = {
        f"study_es_0/{name}": (STUDY_ES_0 / name).read_bytes()
        for name in [
            "data_mutations_extended.maf",
            "data_clinical_patients.txt",
            "data_clinical_samples.txt",
            "meta_study.txt",
        ]
    }
    server.files["/study_es_0.tar.gz"] = tar_gz(members)
    archive = tmp_path / "study.tar.gz"
    download_locked(f"{server.url}/study_es_0.tar.gz", archive, tmp_path / "lock.json", **FAST)
    outputs = {role: tmp_path / f"{role}.txt" for role in STUDY_OUTPUTS}
    extract_members(archive, outputs)
    inputs = cbioportal_inputs(outputs["mutations"], outputs["clinical_patient"], outputs["clinical_sample"])
    cohort, log = build_cohort(
        "BRCA",
        inputs.calls,
        inputs.survival,
        inputs.clinical,
        classes=NON_SILENT_CLASSES,
        sample_preference=["01", "06"],
        sample_to_patient=inputs.sample_to_patient,
    )
    # TCGA-A1-A0SB has samples -01 and -02 (recurrent, not in the preference): only -01 is used
    dropped = log.to_frame()
    assert "TCGA-A1-A0SB-02" not in set(cohort.patients["patient_id"])
    assert len(cohort.patients) >= 1
    assert cohort.patients["time_days"].ge(0).all()
    assert set(dropped["stage"]) >= {"intersect"}


def lock_files(folder):
    return sorted(p.name for p in folder.glob("*.json"))


@pytest.mark.parametrize(
    "body, problem",
    [
        (
            b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head></html>",
            "the server sent an HTML page",
        ),
        (b"cut", "truncated or corrupt archive"),  # replaced by half a real archive below
        (tar_gz({"study/meta_study.txt": b"cancer_study_identifier: x\n"}), "archive lacks member(s) mutations"),
    ],
    ids=["html-error-page", "short-archive", "no-data-files"],
)
def test_bad_study_archive_is_never_pinned(server, tmp_path, body, problem):
    """A bad 200 response fails without a lock; once the server recovers, the next run succeeds and pins."""
    good = study_archive("GBM", cbioportal_study_files("GBM"))
    if body == b"cut":
        body = good[: len(good) // 3]
    server.files["/study.tar.gz"] = body
    outputs = {role: tmp_path / "GBM" / f"{role}.txt" for role in STUDY_OUTPUTS}
    lock = tmp_path / "locks" / "cbioportal_gbm.json"
    with pytest.raises(DownloadError, match=f"study.tar.gz: .*{re.escape(problem)}.*nothing was pinned"):
        download_study(f"{server.url}/study.tar.gz", outputs, lock, **FAST)
    assert not lock.exists() and not any(p.exists() for p in outputs.values())
    assert not [p for p in (tmp_path / "GBM").iterdir()]  # no scratch folder, no partial file
    server.files["/study.tar.gz"] = good
    record = download_study(f"{server.url}/study.tar.gz", outputs, lock, **FAST)
    assert json.loads(lock.read_text())["sha256"] == record.sha256 == hashlib.sha256(good).hexdigest()
    assert outputs["mutations"].read_bytes() == cbioportal_study_files("GBM")["data_mutations.txt"]


def test_html_page_for_a_network_file_is_not_pinned(server, tmp_path):
    server.files["/pc.txt.gz"] = b"  <html><body>Login required</body></html>"
    with pytest.raises(DownloadError, match=r"pc.txt.gz: the server sent an HTML page \('<html><body>Login"):
        download_locked(
            f"{server.url}/pc.txt.gz", tmp_path / "pc.txt.gz", tmp_path / "lock.json", validate=check_gzip, **FAST
        )
    server.files["/pc.txt.gz"] = gzip.compress(b"A\tinteracts-with\tB\n")[:-10]  # a short gzip stream
    with pytest.raises(DownloadError, match="pc.txt.gz: not a complete gzip file"):
        download_locked(
            f"{server.url}/pc.txt.gz", tmp_path / "pc.txt.gz", tmp_path / "lock.json", validate=check_gzip, **FAST
        )
    assert lock_files(tmp_path) == [] and not (tmp_path / "pc.txt.gz").exists() and no_partial_files(tmp_path)


def test_changed_url_is_still_checked_against_the_pin(server, tmp_path):
    server.files["/v1/data.bin"] = b"version 1"
    server.files["/mirror/data.bin"] = b"version 1"
    server.files["/v2/data.bin"] = b"version 2"
    lock = tmp_path / "lock.json"
    download_locked(f"{server.url}/v1/data.bin", tmp_path / "a.bin", lock, **FAST)
    pinned = lock.read_text()
    download_locked(f"{server.url}/mirror/data.bin", tmp_path / "b.bin", lock, **FAST)  # same bytes elsewhere: fine
    with pytest.raises(ChecksumMismatchError, match=r"the URL changed: the lock was written for .*/v1/data.bin"):
        download_locked(f"{server.url}/v2/data.bin", tmp_path / "c.bin", lock, **FAST)
    assert lock.read_text() == pinned and not (tmp_path / "c.bin").exists()


def test_missing_local_file_fails_at_once(tmp_path):
    started = time.monotonic()
    with pytest.raises(DownloadError, match=r"file://.*/absent.txt.gz: No such file or directory"):
        download((tmp_path / "absent.txt.gz").as_uri(), tmp_path / "out", timeout=1, retries=4, backoff=5)
    assert time.monotonic() - started < 2  # no retry: 4 retries with 5 s backoff would take 75 s
    (tmp_path / "present.txt").write_bytes(b"local bytes")
    download((tmp_path / "present.txt").as_uri(), tmp_path / "out", timeout=1, retries=0)
    assert (tmp_path / "out").read_bytes() == b"local bytes"


def test_retry_delays_double_with_jitter():
    seed = 7
    delays = [retry_delay(attempt, 5.0, random.Random(seed)) for attempt in (1, 2, 3)]
    factors = [random.Random(seed).uniform(0.5, 1.5) for _ in range(3)]
    assert delays == pytest.approx([5.0 * factors[0], 10.0 * factors[1], 20.0 * factors[2]])
    spread = {round(retry_delay(1, 5.0), 6) for _ in range(20)}
    assert len(spread) > 1 and all(2.5 <= d <= 7.5 for d in spread)


KILLED_DOWNLOAD = """
import sys
from pancan.data.cbioportal import download_study
from pancan.workflow_logging import rule_logging
url, out = sys.argv[1], sys.argv[2]
with rule_logging(out + "/job.log"):
    download_study(url, {"mutations": out + "/GBM/m.txt", "clinical_patient": out + "/GBM/p.txt",
                         "clinical_sample": out + "/GBM/s.txt"}, out + "/lock.json", timeout=30, retries=0, backoff=0)
"""


def test_killed_download_leaves_no_temporary_files(server, tmp_path):
    server.files["/slow.tar.gz"] = study_archive("GBM", cbioportal_study_files("GBM"))
    server.faults["/slow.tar.gz"] = ["slow"]
    job = subprocess.Popen([sys.executable, "-c", KILLED_DOWNLOAD, f"{server.url}/slow.tar.gz", str(tmp_path)])
    deadline = time.monotonic() + 20
    while not list((tmp_path / "GBM").glob(".archive.*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list((tmp_path / "GBM").glob(".archive.*")), "the download never started"
    job.send_signal(signal.SIGTERM)
    assert job.wait(timeout=20) != 0
    assert list((tmp_path / "GBM").iterdir()) == [] and not (tmp_path / "lock.json").exists()
    assert "stopped by signal SIGTERM; temporary files removed" in (tmp_path / "job.log").read_text()
    # a scratch folder that a SIGKILL left behind is removed by the next download
    (tmp_path / "GBM" / ".archive.left").mkdir()
    server.files["/ok.tar.gz"] = server.files["/slow.tar.gz"]
    download_study(
        f"{server.url}/ok.tar.gz",
        {role: tmp_path / "GBM" / f"{role}.txt" for role in STUDY_OUTPUTS},
        tmp_path / "lock.json",
        **FAST,
    )
    assert sorted(p.name for p in (tmp_path / "GBM").iterdir()) == sorted(f"{role}.txt" for role in STUDY_OUTPUTS)
