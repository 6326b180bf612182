"""sha256 manifests: detect a changed or corrupted bundled/downloaded file."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pancan.atomic import write_text_atomic
from pancan.errors import ChecksumMismatchError, InputFileError

MANIFEST_NAME = "MANIFEST.sha256"


def sha256_file(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """Hex sha256 of a file, streamed."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(root: str | Path) -> Path:
    """Write `sha256  relative/path` lines (sha256sum format) for every data file under root."""
    root = Path(root)
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != MANIFEST_NAME and not p.name.endswith(".md"))
    lines = [f"{sha256_file(p)}  {p.relative_to(root).as_posix()}" for p in files]
    manifest = root / MANIFEST_NAME
    write_text_atomic(manifest, "\n".join(lines) + "\n")
    return manifest


def read_manifest(root: str | Path) -> dict[str, str]:
    """Relative path -> sha256 from root's manifest."""
    manifest = Path(root) / MANIFEST_NAME
    if not manifest.exists():
        raise InputFileError(manifest, "manifest is missing; the snapshot is incomplete")
    entries = {}
    for number, line in enumerate(manifest.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise InputFileError(manifest, f"line {number} is not '<sha256>  <path>'")
        entries[name] = digest
    return entries


def verify_files(root: str | Path, names: list[str] | None = None) -> None:
    """Check files under root against the manifest (all, or only `names`)."""
    root = Path(root)
    entries = read_manifest(root)
    for name in names if names is not None else sorted(entries):
        if name not in entries:
            raise InputFileError(root / name, f"not listed in {root / MANIFEST_NAME}")
        path = root / name
        if not path.exists():
            raise InputFileError(path, "listed in the manifest but missing")
        actual = sha256_file(path)
        if actual != entries[name]:
            raise ChecksumMismatchError(
                f"{path}: checksum mismatch (manifest {entries[name]}, file {actual}); "
                "the bundled snapshot was modified or corrupted"
            )
