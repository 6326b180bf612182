"""cBioPortal datahub study archives: member extraction and the clinical file layout."""

from __future__ import annotations

import logging
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from pancan.atomic import atomic_path
from pancan.data.download import DownloadRecord, download_locked
from pancan.data.tables import read_tsv
from pancan.errors import DownloadError

logger = logging.getLogger(__name__)

# Member basenames by role; datahub renamed files over time, so alternatives are accepted in order.
STUDY_MEMBERS: dict[str, tuple[str, ...]] = {
    "mutations": ("data_mutations.txt", "data_mutations_extended.txt", "data_mutations_extended.maf"),
    "clinical_patient": ("data_clinical_patient.txt", "data_clinical_patients.txt"),
    "clinical_sample": ("data_clinical_sample.txt", "data_clinical_samples.txt"),
}


def study_id(template: str, cancer: str) -> str:
    """Study identifier for a cancer type, e.g. '{cancer_lower}_tcga_pan_can_atlas_2018' -> 'luad_tcga_pan_can_atlas_2018'."""
    return template.format(cancer=cancer, cancer_lower=cancer.lower())


def _find_members(
    tar: tarfile.TarFile, roles, members: Mapping[str, Sequence[str]], label: str
) -> dict[str, tarfile.TarInfo]:
    """Each role's member (matched by basename, first alternative wins); reads the whole archive."""
    found: dict[str, tuple[int, tarfile.TarInfo]] = {}
    count = 0
    for info in tar:
        count += 1
        base = Path(info.name).name
        for role in roles:
            alternatives = members[role]
            if info.isfile() and base in alternatives:
                rank = alternatives.index(base)
                if role not in found or rank < found[role][0]:
                    found[role] = (rank, info)
    missing = [role for role in roles if role not in found]
    if missing:
        wanted = "; ".join(f"{role}: one of {', '.join(members[role])}" for role in missing)
        raise DownloadError(f"{label}: archive lacks member(s) {wanted} (it has {count} entries)")
    return {role: info for role, (_, info) in found.items()}


def check_study_archive(archive: str | Path, label: str | None = None, roles=tuple(STUDY_MEMBERS)) -> None:
    """The archive opens, reads to its end and holds a member for every role (DownloadError otherwise)."""
    label = label or str(archive)
    try:
        with tarfile.open(archive, "r:*") as tar:
            _find_members(tar, roles, STUDY_MEMBERS, label)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        if isinstance(exc, DownloadError):
            raise
        raise DownloadError(f"{label}: truncated or corrupt archive ({type(exc).__name__}: {exc})") from exc


def extract_members(
    archive: str | Path,
    outputs: Mapping[str, str | Path],
    members: Mapping[str, Sequence[str]] = STUDY_MEMBERS,
) -> None:
    """Copy each role's member (matched by basename, first alternative wins) out of a .tar.gz.

    Raises DownloadError naming the archive when it is truncated or corrupt, or
    when a role has no member. Outputs are written atomically.
    """
    archive = Path(archive)
    try:
        with tarfile.open(archive, "r:*") as tar:
            found = _find_members(tar, list(outputs), members, str(archive))
            for role, info in found.items():
                source = tar.extractfile(info)
                with atomic_path(outputs[role]) as tmp, open(tmp, "wb") as out:
                    shutil.copyfileobj(source, out)
                logger.info("%s: extracted %s -> %s", archive, info.name, outputs[role])
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise DownloadError(f"{archive}: truncated or corrupt archive ({type(exc).__name__}: {exc})") from exc


def download_study(url: str, outputs: Mapping[str, str | Path], lock_path: str | Path, **options) -> DownloadRecord:
    """Download a study archive (validated, then pinned by `lock_path`) and extract the members of `outputs`.

    The archive lives in a hidden scratch folder beside the outputs, removed on
    failure or interruption; scratch folders left by a killed earlier job are removed first.
    """
    out_dir = Path(next(iter(outputs.values()))).parent
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob(".archive.*"):
        shutil.rmtree(stale, ignore_errors=True)
        logger.info("removed %s left by an interrupted download", stale)
    roles = tuple(outputs)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".archive.") as scratch:
        archive = Path(scratch) / "study.tar.gz"
        record = download_locked(
            url, archive, lock_path, validate=lambda path, label: check_study_archive(path, label, roles), **options
        )
        extract_members(archive, outputs)
    return record


def read_clinical_patients(path: str | Path) -> pd.DataFrame:
    """cBioPortal data_clinical_patient.txt (4 '#' header lines, then PATIENT_ID, ...), every column."""
    return read_tsv(path, ["PATIENT_ID"], all_columns=True, what="clinical patient file")


def read_sample_patients(path: str | Path) -> dict[str, str]:
    """Sample id -> patient id from data_clinical_sample.txt."""
    table = read_tsv(path, ["PATIENT_ID", "SAMPLE_ID"], what="clinical sample file").dropna()
    return dict(zip(table["SAMPLE_ID"].str.strip(), table["PATIENT_ID"].str.strip().str.upper()))
