"""cBioPortal studies: archives checked whole (every member read, the compression checksum verified), the one
study they hold identified and its MAF and clinical files extracted; the clinical file layout."""

from __future__ import annotations

import gzip
import logging
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import pandas as pd

from pancan.atomic import atomic_path
from pancan.data.download import CHUNK, DownloadRecord, download_locked
from pancan.data.tables import open_text, read_tsv
from pancan.errors import DownloadError, InputFileError

logger = logging.getLogger(__name__)

# Member basenames by role; datahub renamed files over time, so alternatives are accepted in order, and each
# may be gzipped (<name>.gz): it is decompressed on extraction, so the copy and its pin are of the text.
# A name with a folder (case_lists/...) is matched by its last parts; the study's folder is the one above them.
_PLAIN_MEMBERS: dict[str, tuple[str, ...]] = {
    "mutations": ("data_mutations.txt", "data_mutations_extended.txt", "data_mutations_extended.maf"),
    "clinical_patient": ("data_clinical_patient.txt", "data_clinical_patients.txt"),
    "clinical_sample": ("data_clinical_sample.txt", "data_clinical_samples.txt"),
    "case_list": ("case_lists/cases_sequenced.txt",),
}
STUDY_MEMBERS: dict[str, tuple[str, ...]] = {
    role: names + tuple(f"{name}.gz" for name in names) for role, names in _PLAIN_MEMBERS.items()
}
# Roles a study may lack: the samples profiled for mutations (without the list, the MAF's samples are taken). An
# absent optional member is extracted as an empty file, which no real case list is (it has at least its ids line).
OPTIONAL_ROLES = ("case_list",)
META_STUDY = "meta_study.txt"
CASE_LIST_IDS = "case_list_ids"


def study_id(template: str, cancer: str) -> str:
    """Study identifier for a cancer type, e.g. '{cancer_lower}_tcga_pan_can_atlas_2018' -> 'luad_tcga_pan_can_atlas_2018'."""
    return template.format(cancer=cancer, cancer_lower=cancer.lower())


def parse_meta_study(text: str) -> dict[str, str]:
    """`key: value` lines of a cBioPortal meta_study.txt (cancer_study_identifier, type_of_cancer, name, ...)."""
    entries = {}
    for line in text.splitlines():
        key, sep, value = line.lstrip("\ufeff").partition(":")
        if sep and key.strip():
            entries[key.strip()] = value.strip()
    return entries


@dataclass
class StudyLayout:
    """What one study's archive or folder holds: its folder, each role's member and its meta_study.txt entries."""

    directory: str
    members: dict[str, str]
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def identifier(self) -> str | None:
        """cancer_study_identifier of meta_study.txt, None without one."""
        return self.meta.get("cancer_study_identifier") or None


def _drain(stream) -> bytes:
    """Read a member to its end (its bytes pass through the decompressor); return its first CHUNK bytes."""
    head = stream.read(CHUNK)
    while stream.read(CHUNK):
        pass
    return head


def _role_of(
    name: PurePosixPath, members: Mapping[str, Sequence[str]], roles: Sequence[str]
) -> tuple[str, int, str] | None:
    """(role, rank of the alternative, the study's folder) of an archive member, None if it has no role."""
    for role in roles:
        for rank, alternative in enumerate(members[role]):
            parts = PurePosixPath(alternative).parts
            if name.parts[-len(parts) :] == parts:
                return (
                    role,
                    rank,
                    str(PurePosixPath(*name.parts[: -len(parts)])) if len(name.parts) > len(parts) else ".",
                )
    return None


def scan_study_archive(
    archive: str | Path,
    label: str | None = None,
    roles: Sequence[str] = tuple(STUDY_MEMBERS),
    members: Mapping[str, Sequence[str]] = STUDY_MEMBERS,
) -> StudyLayout:
    """Check a study archive whole and describe the one study it holds.

    Every member is read to its end and then the rest of the stream, so gzip's
    (bz2's, xz's) checksum and length are verified: a flipped byte that still
    decompresses is caught here, before anything is pinned. A damaged tar header
    ends tarfile's listing early without an error, so the bytes after the last
    entry must be the zero blocks that end an archive. Raises DownloadError naming
    the archive when it is truncated or corrupt, when it holds files of several
    studies (two folders with study files or meta_study.txt), or when a role has
    no member; corruption is reported as such, before any missing member.
    """
    label = label or str(archive)
    found: dict[str, dict[str, tuple[int, str]]] = {}
    metas: dict[str, str] = {}
    count = 0
    try:
        with tarfile.open(archive, "r:*") as tar:
            for info in tar:
                count += 1
                if not info.isfile():
                    continue
                name = PurePosixPath(info.name)
                head = _drain(tar.extractfile(info))
                directory = str(name.parent)
                if name.name == META_STUDY:
                    metas[directory] = head.decode("utf-8", "replace")
                match = _role_of(name, members, roles)
                if match:
                    role, rank, folder = match
                    if role not in found.setdefault(folder, {}) or rank < found[folder][role][0]:
                        found[folder][role] = (rank, info.name)
            tar.fileobj.seek(tar.offset)
            position = tar.offset
            while chunk := tar.fileobj.read(CHUNK):
                if chunk.strip(b"\0"):
                    at = position + len(chunk) - len(chunk.lstrip(b"\0"))
                    raise DownloadError(
                        f"{label}: corrupt archive: unreadable data at byte {at} "
                        f"of the tar stream, after entry {count} (a damaged header); download or copy it again"
                    )
                position += len(chunk)
    except DownloadError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise DownloadError(
            f"{label}: truncated or corrupt archive ({type(exc).__name__}: {exc}); download or copy it again"
        ) from exc
    directories = sorted(set(found) | set(metas))
    if len(directories) > 1:
        shown = ", ".join(f"{d}/" for d in directories)
        raise DownloadError(
            f"{label}: the archive holds files of several studies (in {shown}); it must hold one study: "
            "pack each study in its own archive and name it for its cancer type"
        )
    directory = directories[0] if directories else "."
    roles_found = found.get(directory, {})
    missing = [role for role in roles if role not in roles_found and role not in OPTIONAL_ROLES]
    if missing:
        wanted = "; ".join(f"{role}: one of {', '.join(members[role])}" for role in missing)
        raise DownloadError(f"{label}: archive lacks member(s) {wanted} (it has {count} entries)")
    return StudyLayout(
        directory,
        {role: name for role, (_, name) in roles_found.items()},
        parse_meta_study(metas.get(directory, "")),
    )


def check_study_archive(
    archive: str | Path, label: str | None = None, roles: Sequence[str] = tuple(STUDY_MEMBERS)
) -> None:
    """The archive is complete and uncorrupted and holds one study with a member for every role (DownloadError)."""
    scan_study_archive(archive, label, roles)


def check_study_identity(layout: StudyLayout, label: str, expected: str) -> None:
    """A downloaded archive must hold the configured study: meta_study.txt's cancer_study_identifier is `expected`."""
    found = layout.identifier
    if found is not None and found != expected:
        kind = layout.meta.get("type_of_cancer", "?")
        raise DownloadError(
            f"{label}: the archive holds study {found} (type_of_cancer: {kind}), not the configured {expected}; "
            "check cbioportal.study_url and cbioportal.study_id"
        )
    if found is None:
        logger.warning("%s: no meta_study.txt, so the study it holds cannot be checked against %s", label, expected)


def copy_member(source: BinaryIO, out: BinaryIO) -> None:
    """Copy a member's bytes, gunzipping a gzipped one as a stream (its CRC is checked as it is read to the end).

    `source` must be seekable (a tar member or an open file): its first two bytes are peeked at for the magic.
    """
    gzipped = source.read(2) == b"\x1f\x8b"
    source.seek(0)
    if not gzipped:
        shutil.copyfileobj(source, out, CHUNK)
        return
    try:
        with gzip.GzipFile(fileobj=source, mode="rb") as stream:
            shutil.copyfileobj(stream, out, CHUNK)
    except (OSError, EOFError, zlib.error) as exc:
        raise DownloadError(f"not a complete gzip file ({type(exc).__name__}: {exc})") from exc


def extract_members(
    archive: str | Path,
    outputs: Mapping[str, str | Path],
    members: Mapping[str, Sequence[str]] = STUDY_MEMBERS,
    layout: StudyLayout | None = None,
) -> StudyLayout:
    """Copy each role's member (matched by basename, first alternative wins, gzipped ones decompressed) out.

    The archive is checked whole first (scan_study_archive) unless `layout` says it
    already was. Raises DownloadError naming the archive when it is truncated,
    corrupt, holds several studies or lacks a role's member. An optional role the
    study lacks (OPTIONAL_ROLES: its case list) is written as an empty file.
    Outputs are written atomically; on failure none of them is left.
    """
    archive = Path(archive)
    layout = layout or scan_study_archive(archive, str(archive), tuple(outputs), members)
    written = []
    try:
        with tarfile.open(archive, "r:*") as tar:
            for role, output in outputs.items():
                name = layout.members.get(role)
                with atomic_path(output) as tmp, open(tmp, "wb") as out:
                    if name is None:
                        logger.info("%s: no %s member (optional): %s left empty", archive, role, output)
                    else:
                        try:
                            copy_member(tar.extractfile(name), out)
                        except DownloadError as exc:
                            raise DownloadError(f"{archive}: member {name}: {exc}") from exc
                written.append(Path(output))
                if name is not None:
                    logger.info("%s: extracted %s -> %s", archive, name, output)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(exc, DownloadError):
            raise
        raise DownloadError(f"{archive}: truncated or corrupt archive ({type(exc).__name__}: {exc})") from exc
    return layout


def download_study(
    url: str,
    outputs: Mapping[str, str | Path],
    lock_path: str | Path,
    *,
    expected_study: str | None = None,
    downstream: Sequence[str | Path] = (),
    **options,
) -> DownloadRecord:
    """Download a study archive (checked whole, then pinned by `lock_path`) and extract the members of `outputs`.

    Before the pin the archive must be complete (every member read, its checksum
    verified), hold one study with every role's member, and, given
    `expected_study`, be that study. A download that differs from the pin is
    refused and `downstream` (what was built from the pinned version) removed, see
    download_locked. The archive lives in a hidden scratch folder beside the
    outputs, removed on failure or interruption; scratch folders left by a killed
    earlier job are removed first.
    """
    out_dir = Path(next(iter(outputs.values()))).parent
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob(".archive.*"):
        shutil.rmtree(stale, ignore_errors=True)
        logger.info("removed %s left by an interrupted download", stale)
    roles = tuple(outputs)
    layouts: list[StudyLayout] = []

    def validate(path: Path, label: str) -> None:
        layout = scan_study_archive(path, label, roles)
        if expected_study:
            check_study_identity(layout, label, expected_study)
        layouts.append(layout)

    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".archive.") as scratch:
        archive = Path(scratch) / "study.tar.gz"
        record = download_locked(url, archive, lock_path, validate=validate, downstream=downstream, **options)
        extract_members(archive, outputs, layout=layouts[-1])
    return record


def read_clinical_patients(path: str | Path) -> pd.DataFrame:
    """cBioPortal data_clinical_patient.txt (4 '#' header lines, then PATIENT_ID, ...), every column."""
    return read_tsv(path, ["PATIENT_ID"], all_columns=True, what="clinical patient file")


def read_sample_patients(path: str | Path) -> dict[str, str]:
    """Sample id -> patient id from data_clinical_sample.txt.

    A sample listed twice for the same patient counts once; a sample listed for
    two patients is an error naming both, since either choice would silently put
    its mutations on the wrong patient.
    """
    table = read_tsv(path, ["PATIENT_ID", "SAMPLE_ID"], what="clinical sample file").dropna()
    pairs = pd.DataFrame(
        {"sample": table["SAMPLE_ID"].str.strip(), "patient": table["PATIENT_ID"].str.strip().str.upper()}
    ).drop_duplicates()
    repeated = pairs["sample"].duplicated(keep=False)
    if repeated.any():
        sample = pairs.loc[repeated, "sample"].iloc[0]
        patients = ", ".join(pairs.loc[pairs["sample"] == sample, "patient"])
        raise InputFileError(
            path,
            f"sample {sample} is listed for {int((pairs['sample'] == sample).sum())} patients ({patients}); "
            "a sample belongs to one patient: keep the right row",
        )
    return dict(zip(pairs["sample"], pairs["patient"]))


def read_case_list(path: str | Path) -> list[str] | None:
    """Sample ids of a cBioPortal case list (`case_list_ids:` tab-separated); None for an empty file (no list).

    The download and import write an empty file for a study without
    case_lists/cases_sequenced.txt; a real case list always has its ids line, so a
    file without one, or one that lists no sample, is an error naming the file.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "file not found")
    if path.stat().st_size == 0:
        return None
    with open_text(path) as handle:
        text = handle.read()
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() == CASE_LIST_IDS:
            samples = list(dict.fromkeys(value.split()))
            if not samples:
                raise InputFileError(path, f"case list's {CASE_LIST_IDS} line lists no sample")
            return samples
    raise InputFileError(
        path, f"case list has no '{CASE_LIST_IDS}:' line (a cBioPortal case list names its samples there)"
    )


SAMPLE_TYPE_COLUMNS = ("ONCOTREE_CODE", "CANCER_TYPE_DETAILED")


def read_sample_table(path: str | Path) -> pd.DataFrame:
    """The clinical sample file's SAMPLE_ID and PATIENT_ID, with ONCOTREE_CODE and CANCER_TYPE_DETAILED if present."""
    table = read_tsv(path, ["PATIENT_ID", "SAMPLE_ID"], optional=SAMPLE_TYPE_COLUMNS, what="clinical sample file")
    table = table.dropna(subset=["PATIENT_ID", "SAMPLE_ID"])
    table["SAMPLE_ID"] = table["SAMPLE_ID"].str.strip()
    table["PATIENT_ID"] = table["PATIENT_ID"].str.strip().str.upper()
    return table.reset_index(drop=True)
