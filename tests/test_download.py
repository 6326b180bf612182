"""Downloads against a real HTTP server on 127.0.0.1: success, retries, and each failure case."""

import functools
import gzip
import hashlib
import json
import random
import re
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from helpers import (
    STUDY_ES_0,
    cbioportal_study_files,
    pathway_commons_extended_sif_gz,
    string_download_files,
    study_archive,
    tar_gz,
)

from pancan.data.cbioportal import check_study_archive, download_study, extract_members
from pancan.data.cohort import build_cohort
from pancan.data.cohort_inputs import cbioportal_inputs
from pancan.data.download import check_gzip, download, download_locked, retry_delay
from pancan.data.local_studies import import_study
from pancan.data.mutation_calls import NON_SILENT_CLASSES
from pancan.errors import ChecksumMismatchError, DownloadError, InputFileError
from pancan.networks.registry import NETWORKS

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
    with pytest.raises(ChecksumMismatchError, match="checksum mismatch.*To accept the new version: delete .*lock.json"):
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
    patients = cohort.patients.set_index("patient_id")
    assert patients.loc["TCGA-A1-A0SB", "sample_id"] == "TCGA-A1-A0SB-01"
    assert dropped.set_index("item").loc["TCGA-A1-A0SB-02", "reason"] == "tumour sample type not in preference list"
    # an independent count: patients with a non-silent call in the MAF and OS months and status in the patient file
    maf = pd.read_csv(STUDY_ES_0 / "data_mutations_extended.maf", sep="\t", comment="#", dtype=str)
    maf = maf[maf["Variant_Classification"].isin(NON_SILENT_CLASSES)]
    mutated = set(maf["Tumor_Sample_Barcode"].str.slice(0, 12))
    clinical = pd.read_csv(STUDY_ES_0 / "data_clinical_patients.txt", sep="\t", comment="#", dtype=str)
    clinical = clinical[pd.to_numeric(clinical["OS_MONTHS"], errors="coerce").ge(0)]
    clinical = clinical[clinical["OS_STATUS"].str.match(r"^[01]:", na=False)]
    assert cohort.patients["patient_id"].tolist() == sorted(mutated & set(clinical["PATIENT_ID"]))
    deaths = clinical.set_index("PATIENT_ID").loc[cohort.patients["patient_id"], "OS_STATUS"].str.startswith("1:")
    assert cohort.patients["event"].tolist() == deaths.astype(int).tolist()


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


STUDY_ES_0_MEMBERS = {
    "mutations": "data_mutations_extended.maf",
    "clinical_patient": "data_clinical_patients.txt",
    "clinical_sample": "data_clinical_samples.txt",
}


def study_es_0_archive() -> bytes:
    names = [*STUDY_ES_0_MEMBERS.values(), "meta_study.txt"]
    return tar_gz({f"study_es_0/{name}": (STUDY_ES_0 / name).read_bytes() for name in names})


def test_every_corrupting_byte_flip_is_refused_as_corruption(tmp_path):
    """One bit flipped every 23 bytes of the real study's archive (past the gzip header's timestamp) and in its
    8-byte trailer: each archive is refused as corrupt, never passed (gzip's CRC) nor blamed on a missing member."""
    good = study_es_0_archive()
    positions = [*range(10, len(good) - 8, 23), *range(len(good) - 8, len(good))]
    outputs = {role: tmp_path / f"{role}.txt" for role in STUDY_OUTPUTS}
    archive = tmp_path / "flipped.tar.gz"
    passed, misnamed = [], []
    for position in positions:
        flipped = bytearray(good)
        flipped[position] ^= 1
        archive.write_bytes(bytes(flipped))
        try:
            check_study_archive(archive)
        except DownloadError as exc:
            if "corrupt archive" not in str(exc) or "lacks member" in str(exc):
                misnamed.append((position, str(exc)))
            continue
        extract_members(archive, outputs)
        altered = [
            r for r, name in STUDY_ES_0_MEMBERS.items() if outputs[r].read_bytes() != (STUDY_ES_0 / name).read_bytes()
        ]
        passed.append((position, altered))
    assert passed == [] and misnamed == []
    assert len(positions) == 966


def test_damaged_tar_header_is_corruption_not_a_missing_member(tmp_path):
    """A bad header checksum ends tarfile's listing silently; the rest of the stream must be the end-of-archive zeros."""
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:  # a plain .tar: no compression checksum to help
        for name, content in [(n, (STUDY_ES_0 / n).read_bytes()) for n in STUDY_ES_0_MEMBERS.values()]:
            info = tarfile.TarInfo(f"study_es_0/{name}")
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    data = bytearray(buffer.getvalue())
    second_header = 512 + ((len((STUDY_ES_0 / "data_mutations_extended.maf").read_bytes()) + 511) // 512) * 512
    data[second_header + 100] ^= 1  # in the mode field: the header checksum no longer matches
    archive = tmp_path / "study.tar"
    archive.write_bytes(bytes(data))
    with pytest.raises(
        DownloadError,
        match=rf"study.tar: corrupt archive: unreadable data at byte {second_header} of the tar stream, after entry 1",
    ):
        check_study_archive(archive)


def two_study_archive() -> bytes:
    ov, kirc = cbioportal_study_files("OV"), cbioportal_study_files("KIRC")
    return tar_gz(
        {
            **{f"ov_tcga_pan_can_atlas_2018/{name}": data for name, data in ov.items()},
            **{f"kirc_tcga_pan_can_atlas_2018/{name}": data for name, data in kirc.items()},
        }
    )


def test_archive_of_two_studies_or_of_another_study_is_refused(server, tmp_path):
    """Configured as KIRC, an archive with OV first gave a 'KIRC' cohort of OV's patients: now refused, unpinned."""
    outputs = {role: tmp_path / "KIRC" / f"{role}.txt" for role in STUDY_OUTPUTS}
    lock = tmp_path / "locks" / "cbioportal_kirc_tcga_pan_can_atlas_2018.json"
    url = f"{server.url}/kirc_tcga_pan_can_atlas_2018.tar.gz"
    server.files["/kirc_tcga_pan_can_atlas_2018.tar.gz"] = two_study_archive()
    with pytest.raises(
        DownloadError,
        match=r"kirc_tcga_pan_can_atlas_2018.tar.gz: the archive holds files of several studies \(in "
        r"kirc_tcga_pan_can_atlas_2018/, ov_tcga_pan_can_atlas_2018/\); it must hold one study: pack each study in "
        r"its own archive and name it for its cancer type; nothing was pinned",
    ):
        download_study(url, outputs, lock, expected_study="kirc_tcga_pan_can_atlas_2018", **FAST)
    server.files["/kirc_tcga_pan_can_atlas_2018.tar.gz"] = study_archive("OV", cbioportal_study_files("OV"))
    with pytest.raises(
        DownloadError,
        match=r"kirc_tcga_pan_can_atlas_2018.tar.gz: the archive holds study ov_tcga_pan_can_atlas_2018 "
        r"\(type_of_cancer: \?\), not the configured kirc_tcga_pan_can_atlas_2018; check cbioportal.study_url and "
        r"cbioportal.study_id; nothing was pinned",
    ):
        download_study(url, outputs, lock, expected_study="kirc_tcga_pan_can_atlas_2018", **FAST)
    assert not lock.exists() and not any(p.exists() for p in outputs.values())
    # the same archives as local studies labelled KIRC
    local = tmp_path / "local"
    local.mkdir()
    (local / "two.tar.gz").write_bytes(two_study_archive())
    with pytest.raises(DownloadError, match=r"two.tar.gz: the archive holds files of several studies"):
        import_study(local / "two.tar.gz", outputs, tmp_path / "locks", "KIRC")
    (local / "ov.tar.gz").write_bytes(study_archive("OV", cbioportal_study_files("OV")))
    with pytest.raises(
        InputFileError,
        match=r"ov.tar.gz: configured as KIRC, but it holds study ov_tcga_pan_can_atlas_2018 \(type_of_cancer: \?\), "
        r"a OV study; point local.studies.KIRC \(or local.study_pattern\) at the KIRC study",
    ):
        import_study(local / "ov.tar.gz", outputs, tmp_path / "locks", "KIRC")
    assert not (tmp_path / "locks").exists() and not any(p.exists() for p in outputs.values())
    # a label of one's own is not checked: the OV study imports as MYOV
    record = import_study(local / "ov.tar.gz", outputs, tmp_path / "locks", "MYOV")
    assert record["study"] == "ov_tcga_pan_can_atlas_2018"
    assert outputs["mutations"].read_bytes() == cbioportal_study_files("OV")["data_mutations.txt"]


def test_gzipped_members_are_accepted_and_decompressed(tmp_path):
    """data_mutations.txt.gz (in an archive or a folder) imports as the same text, under the same pin."""
    files = cbioportal_study_files("GBM")
    packed = {(f"{name}.gz" if name == "data_mutations.txt" else name): data for name, data in files.items()}
    packed["data_mutations.txt.gz"] = gzip.compress(files["data_mutations.txt"])
    archive = tmp_path / "gbm.tar.gz"
    archive.write_bytes(study_archive("GBM", packed))
    outputs = {role: tmp_path / "a" / f"{role}.txt" for role in STUDY_OUTPUTS}
    record = import_study(archive, outputs, tmp_path / "locks", "GBM")
    assert outputs["mutations"].read_bytes() == files["data_mutations.txt"]
    folder = tmp_path / "gbm_folder"
    folder.mkdir()
    for name, data in packed.items():
        (folder / name).write_bytes(data)
    again = import_study(
        folder, {role: tmp_path / "b" / f"{role}.txt" for role in STUDY_OUTPUTS}, tmp_path / "locks", "GBM"
    )
    assert again["files"] == record["files"]
    assert (tmp_path / "b" / "mutations.txt").read_bytes() == files["data_mutations.txt"]
    # a damaged gzipped member is corruption, named, and nothing is left
    (folder / "data_mutations.txt.gz").write_bytes(packed["data_mutations.txt.gz"][:-9] + b"\x00" * 9)
    outputs_c = {role: tmp_path / "c" / f"{role}.txt" for role in STUDY_OUTPUTS}
    with pytest.raises(InputFileError, match=r"gbm_folder/data_mutations.txt.gz: not a complete gzip file"):
        import_study(folder, outputs_c, tmp_path / "locks", "GBM")
    assert not any(p.exists() for p in outputs_c.values())


def test_refused_download_removes_what_was_built_from_the_pinned_version(server, tmp_path):
    """After a refusal nothing built from the old archive survives, and the message says what to run next."""
    server.files["/gbm.tar.gz"] = study_archive("GBM", cbioportal_study_files("GBM"))
    outputs = {role: tmp_path / "raw" / f"{role}.txt" for role in STUDY_OUTPUTS}
    lock = tmp_path / "locks" / "cbioportal_gbm.json"
    download_study(f"{server.url}/gbm.tar.gz", outputs, lock, **FAST)
    built = [tmp_path / "cohorts" / "GBM" / "patients.tsv", tmp_path / "cohorts" / "summary.tsv"]
    for path in built:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("built from the pinned version\n")
    changed = cbioportal_study_files("GBM")
    changed["data_clinical_patient.txt"] = changed["data_clinical_patient.txt"].replace(b"1:DECEASED", b"0:LIVING", 1)
    server.files["/gbm.tar.gz"] = study_archive("GBM", changed)
    with pytest.raises(ChecksumMismatchError) as refusal:
        download_study(f"{server.url}/gbm.tar.gz", outputs, lock, downstream=built, **FAST)
    assert str(refusal.value).endswith(
        f"Removed {built[0]}, {built[1]} (built from the pinned version), so no later run reuses them. "
        f"To accept the new version: delete {lock} and run the same command again (what was built from the old "
        f"version is redone). To keep the pinned version: serve the pinned file again at {server.url}/gbm.tar.gz, "
        "then run the same command again."
    )
    assert not any(p.exists() for p in built)


def test_refused_local_study_removes_what_was_built_from_it(tmp_path):
    files = cbioportal_study_files("GBM")
    folder = tmp_path / "gbm_study"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    outputs = {role: tmp_path / "raw" / f"{role}.txt" for role in STUDY_OUTPUTS}
    import_study(folder, outputs, tmp_path / "locks", "GBM")
    built = [tmp_path / "cohorts" / "GBM" / "patients.tsv", tmp_path / "cohorts" / "summary.tsv"]
    for path in built:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("built from the pinned version\n")
    (folder / "data_clinical_patient.txt").write_bytes(
        files["data_clinical_patient.txt"].replace(b"1:DECEASED", b"0:LIVING", 1)
    )
    with pytest.raises(ChecksumMismatchError, match=r"gbm_study: the clinical_patient file changed .* Removed "):
        import_study(folder, outputs, tmp_path / "locks", "GBM", downstream=built)
    assert not any(p.exists() for p in [*built, *outputs.values()])
    # any other failure of a changed study removes them too
    for path in built:
        path.write_text("built from the pinned version\n")
    (folder / "data_mutations.txt").unlink()
    with pytest.raises(
        InputFileError,
        match=r"gbm_study: study folder lacks mutations: one of data_mutations.txt.*\. Removed .*patients.tsv.* "
        r"\(built from the study's previous version\), so no later run reuses them; fix the study and run the same "
        r"command again$",
    ):
        import_study(folder, outputs, tmp_path / "locks", "GBM", downstream=built)
    assert not any(p.exists() for p in built)


@functools.cache
def publisher_network_files() -> dict[str, bytes]:
    """The snapshot's networks in the publishers' layouts (built once: each takes seconds)."""
    links, info = string_download_files()
    return {"pathway_commons": pathway_commons_extended_sif_gz(), "string_links": links, "string_info": info}


def network_validator(resource, settings, info=None):
    def validate(path, label):
        check_gzip(path, label)
        NETWORKS.check_file(resource, path, settings, {"string_info": info} if resource == "string_links" else {})

    return validate


SIF_HEADER = b"PARTICIPANT_A\tINTERACTION_TYPE\tPARTICIPANT_B\tINTERACTION_DATA_SOURCE\n"


@pytest.mark.parametrize(
    "resource, body, problem",
    [
        ("pathway_commons", b"", "empty file: no edge"),
        ("pathway_commons", SIF_HEADER, "network 'pathway_commons' has no gene-gene edge left after filtering"),
        (
            "pathway_commons",
            SIF_HEADER + b"TP53\tinteracts-with\tTP53\tReactome\nKRAS\tin-complex-with\tKRAS\tReactome\n",
            "network 'pathway_commons' has no gene-gene edge left after filtering",
        ),
        (
            "pathway_commons",
            SIF_HEADER + b"CHEBI:15422\tconsumption-controlled-by\tKRAS\tReactome\n",
            "network 'pathway_commons' has no gene-gene edge left after filtering",
        ),
        ("string_info", b"#string_protein_id\tpreferred_name\tprotein_size\tannotation\n", "names no protein"),
        ("string_links", b"protein1 protein2 combined_score\n", "STRING links file has a header but no edge"),
        (
            "string_links",
            b"protein1 protein2 combined_score\n9606.ENSP00000000000 9606.ENSP00000000001 899\n",
            r"no edge has combined_score >= 900 \(networks.string.min_score; the highest is 899\)",
        ),
        ("string_links", b"protein1\tprotein2\tscore\n", "STRING links file lacks column"),
    ],
    ids=[
        "empty",
        "header-only",
        "self-loops-only",
        "small-molecules-only",
        "info-header-only",
        "links-header-only",
        "nothing-above-min-score",
        "links-wrong-columns",
    ],
)
def test_bad_network_file_is_never_pinned(server, tmp_path, resource, body, problem):
    """Parsed as prepare_network will parse it before the lock is written: a bad one pinned used to make every
    later run reuse it, or fail on the lock once the publisher fixed it."""
    info_path = tmp_path / "string_info.txt.gz"
    info_path.write_bytes(publisher_network_files()["string_info"])
    lock = tmp_path / "locks" / f"network_{resource}.json"
    dest = tmp_path / "download" / f"{resource}.txt.gz"
    server.files["/file.txt.gz"] = gzip.compress(body)
    validate = network_validator(resource, {"min_score": 900}, info_path)
    with pytest.raises(DownloadError, match=rf"file.txt.gz: .*{problem}.*; nothing was pinned, so a later run"):
        download_locked(f"{server.url}/file.txt.gz", dest, lock, validate=validate, **FAST)
    assert not lock.exists() and not dest.exists() and no_partial_files(tmp_path)


def test_fixed_network_files_are_pinned_after_a_refusal(server, tmp_path):
    """Once the publisher fixes a file, the next run downloads it, validates it and pins it."""
    files = publisher_network_files()
    info_path = tmp_path / "download" / "string_info.txt.gz"
    for resource in ["string_info", "string_links", "pathway_commons"]:
        lock = tmp_path / "locks" / f"network_{resource}.json"
        dest = tmp_path / "download" / f"{resource}.txt.gz"
        validate = network_validator(resource, {"min_score": 900}, info_path)
        server.files[f"/{resource}.txt.gz"] = gzip.compress(b"")
        with pytest.raises(DownloadError, match="nothing was pinned"):
            download_locked(f"{server.url}/{resource}.txt.gz", dest, lock, validate=validate, **FAST)
        server.files[f"/{resource}.txt.gz"] = files[resource]
        record = download_locked(f"{server.url}/{resource}.txt.gz", dest, lock, validate=validate, **FAST)
        assert json.loads(lock.read_text())["sha256"] == record.sha256 == hashlib.sha256(files[resource]).hexdigest()
        assert dest.read_bytes() == files[resource]


def test_case_list_member_is_extracted_and_optional(tmp_path):
    """study_es_0 with its case_lists/cases_sequenced.txt: extracted byte for byte; without it, an empty file.
    A case list in another study's folder makes the archive one of several studies."""
    case_list = (STUDY_ES_0 / "case_lists" / "cases_sequenced.txt").read_bytes()
    roles = (*STUDY_OUTPUTS, "case_list")
    members = {f"study_es_0/{name}": (STUDY_ES_0 / name).read_bytes() for name in STUDY_ES_0_MEMBERS.values()}
    archive = tmp_path / "es.tar.gz"
    archive.write_bytes(tar_gz({**members, "study_es_0/case_lists/cases_sequenced.txt": case_list}))
    outputs = {role: tmp_path / "a" / f"{role}.txt" for role in roles}
    layout = extract_members(archive, outputs)
    assert layout.members["case_list"] == "study_es_0/case_lists/cases_sequenced.txt"
    assert outputs["case_list"].read_bytes() == case_list
    archive.write_bytes(study_es_0_archive())  # no case list
    outputs = {role: tmp_path / "b" / f"{role}.txt" for role in roles}
    extract_members(archive, outputs)
    assert outputs["case_list"].read_bytes() == b"" and outputs["mutations"].stat().st_size > 0
    archive.write_bytes(tar_gz({**members, "other_study/case_lists/cases_sequenced.txt": case_list}))
    with pytest.raises(DownloadError, match=r"holds files of several studies \(in other_study/, study_es_0/\)"):
        check_study_archive(archive, roles=roles)
