"""Atomic file writes: a failure never leaves a half-written output behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to `path`; rename it onto `path` only on success."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp creates owner-only files; give the result the permissions of a normal write
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def remove_stale_temporaries(path: str | Path) -> list[Path]:
    """Delete temporaries a killed writer of `path` left next to it (`.<name>.*.part`); return them."""
    target = Path(path)
    patterns = (f".{target.name}.*.part", f"..{target.name}.*.part")  # the second: a temporary's own temporary
    stale = sorted(p for pattern in patterns for p in target.parent.glob(pattern)) if target.parent.is_dir() else []
    for leftover in stale:
        leftover.unlink(missing_ok=True)
    return stale


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write `text` to `path` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def write_table_atomic(table, path: str | Path) -> None:
    """Write a pandas DataFrame as TSV (gzip if the name ends in .gz) atomically."""
    compression = "gzip" if str(path).endswith(".gz") else None
    with atomic_path(path) as tmp:
        table.to_csv(tmp, sep="\t", index=False, compression=compression, lineterminator="\n")
