"""cBioPortal-format studies on disk (a folder or an archive per cancer type), imported and pinned by sha256.

A study's lock is keyed by its identity, `local_<cancer_study_identifier>.json` (from meta_study.txt; without
one, the study's folder or archive name), so two analyses of different studies never share a pin, while a
folder and an archive of the same study do.
"""

from __future__ import annotations

import glob
import json
import logging
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from pancan.atomic import atomic_path, write_text_atomic
from pancan.data.cancer_types import COMBINED_OF, TCGA_CODES, CancerTypeError
from pancan.data.cbioportal import (
    META_STUDY,
    OPTIONAL_ROLES,
    STUDY_MEMBERS,
    StudyLayout,
    copy_member,
    extract_members,
    parse_meta_study,
    scan_study_archive,
)
from pancan.data.download import discard_downstream, refusal_advice
from pancan.data.manifest import sha256_file
from pancan.errors import ChecksumMismatchError, DownloadError, InputFileError

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


def study_label(cancer: str, studies: Mapping[str, str], pattern: str) -> str:
    """The study a type is read from: its own, or, for COAD and READ without one, the combined COADREAD study.

    COAD's own study is its local.studies entry or an existing local.study_pattern
    path; without one, a COADREAD study (entry or existing pattern path) is read and
    split by each sample's cancer type. With neither, the type's own label is kept,
    so that the import names the missing path.
    """
    combined = COMBINED_OF.get(cancer)
    if combined is None or cancer in studies:
        return cancer
    if pattern and Path(study_location(cancer, studies, pattern)).exists():
        return cancer
    if combined in studies or (pattern and Path(study_location(combined, studies, pattern)).exists()):
        return combined
    return cancer


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


def study_origin(cancer: str, studies: Mapping[str, str], pattern: str) -> str:
    """The setting that names a type's study, for messages: local.studies.<TYPE> or local.study_pattern '<pattern>'."""
    return f"local.studies.{cancer}" if cancer in studies else f"local.study_pattern {pattern!r}"


def study_files(path: str | Path, origin: str = "local.studies / local.study_pattern") -> dict[str, str]:
    """What an import reads: {"archive": path}, or each role's file of a study folder (first alternative present).

    A folder's case list (case_lists/cases_sequenced.txt) is listed when present.
    `origin` (study_origin) names the setting the path came from, so a study that
    is not there is traced to the entry or the pattern to fix.
    """
    path = Path(path)
    if not path.exists():
        where = f"relative to the working directory {Path.cwd()}" if not path.is_absolute() else "an absolute path"
        raise InputFileError(path, f"local study not found ({origin}; {where})")
    if path.is_file():
        if not is_archive(path):
            raise InputFileError(path, f"a local study must be a folder or an archive ({', '.join(ARCHIVE_SUFFIXES)})")
        return {"archive": str(path)}
    files, missing = {}, []
    for role, alternatives in STUDY_MEMBERS.items():
        present = [path / name for name in alternatives if (path / name).is_file()]
        if present:
            files[role] = str(present[0])
        elif role not in OPTIONAL_ROLES:
            missing.append(f"{role}: one of {', '.join(alternatives)}")
    if missing:
        raise InputFileError(path, f"study folder lacks {'; '.join(missing)}")
    return files


def _archive_stem(path: Path) -> str:
    name = path.name
    for suffix in ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def lock_name(source: str | Path, layout: StudyLayout) -> str:
    """`local_<study>.json`: the study's cancer_study_identifier, else its folder's (or archive's) name."""
    source = Path(source)
    if layout.identifier:
        key = layout.identifier
    elif source.is_dir():
        key = source.resolve().name
    elif layout.directory not in ("", "."):
        key = Path(layout.directory).name
    else:
        key = _archive_stem(source)
    return "local_" + re.sub(r"[^A-Za-z0-9._-]+", "_", key) + ".json"


def check_local_identity(cancer: str, layout: StudyLayout, source: str | Path) -> None:
    """A study labelled with a TCGA code must not be another TCGA type's study (its identifier says so).

    Only clear evidence refuses: the label and the first word of cancer_study_identifier
    (ov_tcga_pan_can_atlas_2018 -> OV) are both TCGA codes and neither contains the
    other (COADREAD holds READ). A label of your own (MYCOHORT) is never checked.
    """
    identifier = layout.identifier
    if not identifier or cancer not in TCGA_CODES:
        return
    prefix = identifier.split("_")[0].upper()
    if prefix in TCGA_CODES and prefix not in cancer and cancer not in prefix:
        raise InputFileError(
            source,
            f"configured as {cancer}, but it holds study {identifier} "
            f"(type_of_cancer: {layout.meta.get('type_of_cancer', '?')}), a {prefix} study; point local.studies."
            f"{cancer} (or local.study_pattern) at the {cancer} study, or give this study a label that is not a "
            "TCGA code",
        )


def folder_layout(folder: Path) -> StudyLayout:
    """A study folder's files and meta_study.txt entries (see study_files)."""
    files = study_files(folder)
    meta = folder / META_STUDY
    entries = parse_meta_study(meta.read_text(encoding="utf-8", errors="replace")) if meta.is_file() else {}
    return StudyLayout(".", {role: str(Path(path).relative_to(folder)) for role, path in files.items()}, entries)


def import_study(
    source: str | Path,
    outputs: Mapping[str, str | Path],
    lock_dir: str | Path,
    cancer: str,
    downstream: Sequence[str | Path] = (),
) -> dict:
    """Copy (folder) or extract (archive) the study's mutation and clinical files, then pin their sha256.

    An archive is checked whole first (every member read, its checksum verified;
    one study, with every file); gzipped members or files (data_mutations.txt.gz)
    are decompressed. The study must not be another TCGA type's (check_local_identity).
    The first import writes `lock_dir/local_<study>.json` (lock_name); later imports
    must find the same bytes, whatever folder or archive they come from, else
    ChecksumMismatchError names the file and the lock to delete.

    This runs only when the study changed (or its copy is missing), so on any
    failure the copies and `downstream` (the cohort built from the previous
    version) are deleted: no later run reuses them. Returns the lock record.
    """
    try:
        return _import_study(Path(source), outputs, Path(lock_dir), cancer, downstream)
    except (InputFileError, DownloadError) as exc:
        for output in outputs.values():
            Path(output).unlink(missing_ok=True)
        if isinstance(exc, ChecksumMismatchError):
            raise
        removed = discard_downstream(downstream)
        if not removed:
            raise
        advice = (
            f". Removed {', '.join(removed)} (built from the study's previous version), "
            "so no later run reuses them; fix the study and run the same command again"
        )
        if isinstance(exc, InputFileError):
            raise InputFileError(exc.path, exc.problem + advice) from exc
        raise DownloadError(f"{exc}{advice}") from exc


def _import_study(
    source: Path, outputs: Mapping[str, str | Path], lock_dir: Path, cancer: str, downstream: Sequence[str | Path]
) -> dict:
    files = study_files(source)
    if "archive" in files:
        layout = scan_study_archive(source, str(source), tuple(outputs))
        check_local_identity(cancer, layout, source)
        extract_members(source, outputs, layout=layout)
    else:
        layout = folder_layout(source)
        check_local_identity(cancer, layout, source)
        for role, output in outputs.items():
            if role not in files:  # an optional file the study lacks (its case list): an empty copy says so
                with atomic_path(output) as tmp:
                    Path(tmp).write_bytes(b"")
                continue
            with atomic_path(output) as tmp, open(files[role], "rb") as handle, open(tmp, "wb") as out:
                try:
                    copy_member(handle, out)
                except DownloadError as exc:
                    raise InputFileError(files[role], str(exc)) from exc
    lock_path = lock_dir / lock_name(source, layout)
    record = {
        "source": str(source),
        "study": layout.identifier or lock_path.stem.removeprefix("local_"),
        "cancer": cancer,
        "files": {
            role: {"sha256": sha256_file(path), "size": Path(path).stat().st_size} for role, path in outputs.items()
        },
        "retrieved": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if not lock_path.exists():
        write_text_atomic(lock_path, json.dumps(record, indent=2, sort_keys=True) + "\n")
        logger.info("%s: pinned in %s", source, lock_path)
        return record
    try:
        lock = json.loads(lock_path.read_text())
        pinned = lock["files"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputFileError(lock_path, f"unreadable lock file ({exc}); delete it to import afresh") from exc
    unpinned = [role for role in record["files"] if role in OPTIONAL_ROLES and role not in pinned]
    if unpinned and all(
        pinned.get(r, {}).get("sha256") == e["sha256"] for r, e in record["files"].items() if r in pinned
    ):
        # a lock written before pancan read case lists: the rest matches, so the new file is pinned now
        lock["files"].update({role: record["files"][role] for role in unpinned})
        write_text_atomic(lock_path, json.dumps(lock, indent=2, sort_keys=True) + "\n")
        logger.warning("%s: %s pinned now in %s (written before pancan read them)", source, unpinned, lock_path)
        pinned = lock["files"]
    for role, entry in record["files"].items():
        if pinned.get(role, {}).get("sha256") != entry["sha256"]:
            for output in outputs.values():
                Path(output).unlink(missing_ok=True)
            removed = discard_downstream(downstream)
            raise ChecksumMismatchError(
                f"{source}: the {role} file changed since {lock_path} was written "
                f"(sha256 {pinned.get(role, {}).get('sha256')}, now {entry['sha256']})."
                + refusal_advice(lock_path, removed, f"restore {source} as it was")
            )
    return record
