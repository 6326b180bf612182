"""cBioPortal-format studies on disk (a folder or an archive per cancer type), imported and pinned by sha256."""

from __future__ import annotations

import glob
import json
import logging
import re
import shutil
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from pancan.atomic import atomic_path, write_text_atomic
from pancan.data.cancer_types import CancerTypeError
from pancan.data.cbioportal import STUDY_MEMBERS, extract_members
from pancan.data.manifest import sha256_file
from pancan.errors import ChecksumMismatchError, InputFileError

logger = logging.getLogger(__name__)

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz")
PLACEHOLDERS = {"cancer": r"(?P<cancer>[A-Z0-9]+)", "cancer_lower": r"(?P<cancer_lower>[a-z0-9]+)"}


def study_location(cancer: str, studies: Mapping[str, str], pattern: str) -> str:
    """Path of a type's study: its entry in local.studies, else local.study_pattern filled in."""
    if cancer in studies:
        return studies[cancer]
    if pattern:
        return pattern.format(cancer=cancer, cancer_lower=cancer.lower())
    raise CancerTypeError(
        f"local.studies: no study for cancer type {cancer}; add {cancer}: <folder or archive>, or set local.study_pattern"
    )


def discover_studies(studies: Mapping[str, str], pattern: str) -> list[str]:
    """Cancer types with a study: the keys of local.studies plus every path local.study_pattern matches."""
    found = set(studies)
    if pattern:
        wildcard = (
            glob.escape(pattern).replace(glob.escape("{cancer}"), "*").replace(glob.escape("{cancer_lower}"), "*")
        )
        regex = re.escape(pattern)
        for name, group in PLACEHOLDERS.items():
            regex = regex.replace(re.escape("{" + name + "}"), group, 1).replace(
                re.escape("{" + name + "}"), f"(?P={name})"
            )
        for path in glob.glob(wildcard):
            match = re.fullmatch(regex, path)
            if match:
                values = match.groupdict()
                found.add(values.get("cancer") or values["cancer_lower"].upper())
    return sorted(found)


def is_archive(path: str | Path) -> bool:
    return str(path).lower().endswith(ARCHIVE_SUFFIXES)


def study_files(path: str | Path) -> dict[str, str]:
    """What an import reads: {"archive": path}, or each role's file of a study folder (first alternative present)."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "local study not found (local.studies / local.study_pattern)")
    if path.is_file():
        if not is_archive(path):
            raise InputFileError(path, f"a local study must be a folder or an archive ({', '.join(ARCHIVE_SUFFIXES)})")
        return {"archive": str(path)}
    files, missing = {}, []
    for role, alternatives in STUDY_MEMBERS.items():
        present = [path / name for name in alternatives if (path / name).is_file()]
        if present:
            files[role] = str(present[0])
        else:
            missing.append(f"{role}: one of {', '.join(alternatives)}")
    if missing:
        raise InputFileError(path, f"study folder lacks {'; '.join(missing)}")
    return files


def import_study(source: str | Path, outputs: Mapping[str, str | Path], lock_path: str | Path) -> dict:
    """Copy (folder) or extract (archive) the study's mutation and clinical files, then pin their sha256.

    The first import writes `lock_path`; later imports must find the same bytes,
    whatever folder or archive they come from, else ChecksumMismatchError names
    the file and the lock to delete to accept the new version.
    """
    files = study_files(source)
    if "archive" in files:
        extract_members(files["archive"], outputs)
    else:
        for role, output in outputs.items():
            with atomic_path(output) as tmp:
                shutil.copyfile(files[role], tmp)
    record = {
        "source": str(source),
        "files": {
            role: {"sha256": sha256_file(path), "size": Path(path).stat().st_size} for role, path in outputs.items()
        },
        "retrieved": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    lock_path = Path(lock_path)
    if not lock_path.exists():
        write_text_atomic(lock_path, json.dumps(record, indent=2, sort_keys=True) + "\n")
        return record
    try:
        pinned = json.loads(lock_path.read_text())["files"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputFileError(lock_path, f"unreadable lock file ({exc}); delete it to import afresh") from exc
    for role, entry in record["files"].items():
        if pinned.get(role, {}).get("sha256") != entry["sha256"]:
            for output in outputs.values():
                Path(output).unlink(missing_ok=True)
            raise ChecksumMismatchError(
                f"{source}: the {role} file changed since {lock_path} was written "
                f"(sha256 {pinned.get(role, {}).get('sha256')}, now {entry['sha256']}); "
                "delete that lock file to accept the new version"
            )
    return record
