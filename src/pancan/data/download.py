"""HTTP downloads with timeouts, retries with jittered backoff, validation, atomic writes and sha256 lock files."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import logging
import random
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from pancan import __version__
from pancan.atomic import atomic_path, write_text_atomic
from pancan.errors import ChecksumMismatchError, DownloadError, InputFileError

logger = logging.getLogger(__name__)

RETRYABLE_HTTP = {408, 425, 429, 500, 502, 503, 504}
CHUNK = 1 << 20
HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body")
Validator = Callable[[Path, str], None]  # (downloaded file, label for messages); raises DownloadError


@dataclass(frozen=True)
class DownloadRecord:
    """What a lock file stores about one downloaded file."""

    url: str
    sha256: str
    size: int
    retrieved: str = ""


class _RetryableError(Exception):
    """A transient failure worth another attempt."""


def _stream_to(url: str, tmp: Path, timeout: float, progress_every: int) -> tuple[str, int]:
    request = urllib.request.Request(url, headers={"User-Agent": f"pancan/{__version__}"})
    digest = hashlib.sha256()
    received = 0
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, open(tmp, "wb") as out:
            length = response.headers.get("Content-Length")
            expected = int(length) if length and length.isdigit() else None
            next_report = progress_every
            while True:
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                if received >= next_report:
                    total = f"/{expected / 1e6:.1f}" if expected else ""
                    logger.info("%s: %.1f%s MB", url, received / 1e6, total)
                    next_report += progress_every
    except urllib.error.HTTPError as exc:
        if exc.code in RETRYABLE_HTTP:
            raise _RetryableError(f"HTTP {exc.code} {exc.reason}") from exc
        raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except http.client.IncompleteRead as exc:
        raise _RetryableError(f"truncated: connection closed after {received + len(exc.partial)} bytes") from exc
    except (TimeoutError, urllib.error.URLError, ConnectionError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        if urllib.parse.urlsplit(url).scheme == "file" and isinstance(reason, OSError):
            # a local file that is missing or unreadable will not appear by waiting
            raise DownloadError(f"{url}: {reason.strerror or reason}") from exc
        raise _RetryableError(f"{type(exc).__name__}: {reason}") from exc
    if expected is not None and received != expected:
        raise _RetryableError(f"truncated: received {received} of {expected} bytes")
    return digest.hexdigest(), received


def retry_delay(attempt: int, backoff: float, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry `attempt` (1, 2, ...): backoff * 2^(attempt-1), times a random 0.5-1.5.

    The jitter keeps parallel jobs that failed together from retrying in lockstep.
    """
    return backoff * 2 ** (attempt - 1) * (rng or random).uniform(0.5, 1.5)


def download(
    url: str,
    dest: str | Path,
    *,
    timeout: float = 60.0,
    retries: int = 3,
    backoff: float = 2.0,
    expected_sha256: str | None = None,
    progress_every: int = 16 * CHUNK,
    rng: random.Random | None = None,
) -> DownloadRecord:
    """Fetch `url` to `dest` atomically; retry transient failures `retries` times with exponential backoff.

    Raises DownloadError (naming the URL) for a non-retryable HTTP error or when
    retries are exhausted, and ChecksumMismatchError when the bytes differ from
    `expected_sha256`. Nothing is left at `dest` on failure.
    """
    dest = Path(dest)
    failures: list[str] = []
    for attempt in range(retries + 1):
        if attempt:
            delay = retry_delay(attempt, backoff, rng)
            logger.warning("%s: attempt %d failed (%s); retrying in %.1f s", url, attempt, failures[-1], delay)
            time.sleep(delay)
        try:
            # An exception inside atomic_path discards the temporary file.
            with atomic_path(dest) as tmp:
                sha256, size = _stream_to(url, tmp, timeout, progress_every)
                if expected_sha256 and sha256 != expected_sha256:
                    raise ChecksumMismatchError(
                        f"{url}: checksum mismatch: expected sha256 {expected_sha256}, downloaded {sha256} ({size} bytes)"
                    )
        except _RetryableError as exc:
            failures.append(str(exc))
            continue
        logger.info("%s: %d bytes, sha256 %s -> %s", url, size, sha256, dest)
        return DownloadRecord(url, sha256, size, datetime.now(UTC).isoformat(timespec="seconds"))
    raise DownloadError(f"{url}: failed after {retries + 1} attempt(s): {'; '.join(failures)}")


def read_lock(lock_path: str | Path) -> DownloadRecord | None:
    """The record stored in a lock file, or None when there is none yet."""
    lock_path = Path(lock_path)
    if not lock_path.exists():
        return None
    try:
        return DownloadRecord(**json.loads(lock_path.read_text()))
    except (json.JSONDecodeError, TypeError) as exc:
        raise DownloadError(f"{lock_path}: unreadable lock file ({exc}); delete it to download afresh") from exc


def write_lock(lock_path: str | Path, record: DownloadRecord) -> None:
    write_text_atomic(lock_path, json.dumps(asdict(record), indent=2, sort_keys=True) + "\n")


def check_not_html(path: Path, label: str) -> None:
    """An HTML page (an error or login page served with status 200) is never the data file."""
    with open(path, "rb") as handle:
        raw = handle.read(1024).lstrip(b"\xef\xbb\xbf \t\r\n")
    head = raw.lower()
    if head.startswith(HTML_MARKERS) or (head.startswith(b"<?xml") and b"<html" in head):
        first = raw.splitlines()[0][:80].decode("utf-8", "replace")
        raise DownloadError(f"{label}: the server sent an HTML page ({first!r}), not the data file")


def check_gzip(path: Path, label: str) -> None:
    """The whole gzip stream decompresses (its CRC catches a short or corrupt file)."""
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(CHUNK):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        raise DownloadError(f"{label}: not a complete gzip file ({type(exc).__name__}: {exc})") from exc


def discard_downstream(paths: Sequence[str | Path]) -> list[str]:
    """Delete what was built from a version of the data that was just refused; return the paths deleted.

    Snakemake does not rebuild a file whose inputs are missing (a refused download
    or import leaves its outputs missing, not newer), so a cohort built from the
    pinned version would otherwise be reused by every later run, even after the
    lock is deleted. Removing it, and the summary that a plain run asks for, makes
    the next run redo the import or download, and everything after it.
    """
    removed = []
    for path in map(Path, paths):
        if path.is_file() or path.is_symlink():
            path.unlink()
            removed.append(str(path))
    if removed:
        logger.warning("removed %d file(s) built from the refused data's pinned version: %s", len(removed), removed)
    return removed


def refusal_advice(lock_path: str | Path, removed: Sequence[str], keep: str) -> str:
    """What a checksum refusal means for the results, and exactly what to run next."""
    gone = (
        f" Removed {', '.join(removed)} (built from the pinned version), so no later run reuses them."
        if removed
        else ""
    )
    return (
        f"{gone} To accept the new version: delete {lock_path} and run the same command again (what was built "
        f"from the old version is redone). To keep the pinned version: {keep}, then run the same command again."
    )


def download_locked(
    url: str,
    dest: str | Path,
    lock_path: str | Path,
    *,
    validate: Validator | None = None,
    downstream: Sequence[str | Path] = (),
    **options,
) -> DownloadRecord:
    """Download, validate, then pin: the first valid download records its sha256 in `lock_path`.

    The file must not be an HTML page and must pass `validate` (e.g. the archive
    is whole and holds the configured study, the network has edges) before
    anything is pinned, so a bad response never becomes the reference. The lock
    names the resource, not the URL: a later download must match its sha256
    whatever URL it came from, else ChecksumMismatchError, after `downstream`
    (what was built from the pinned version) is deleted so no later run reuses it;
    the message says to delete the lock file to accept the new version.
    Nothing is left at `dest` on failure.
    """
    lock = read_lock(lock_path)
    with atomic_path(dest) as tmp:
        record = download(url, tmp, **options)
        try:
            check_not_html(tmp, url)
            if validate is not None:
                validate(tmp, url)
        except (DownloadError, InputFileError) as exc:
            # an InputFileError names the temporary file: name the URL instead
            problem = f"{url}: {exc.problem}" if isinstance(exc, InputFileError) else str(exc)
            raise DownloadError(f"{problem}; nothing was pinned, so a later run downloads afresh") from exc
        if lock is not None and record.sha256 != lock.sha256:
            moved = f" (the URL changed: the lock was written for {lock.url})" if lock.url != url else ""
            removed = discard_downstream(downstream)
            raise ChecksumMismatchError(
                f"{url}: checksum mismatch: {lock_path} pins sha256 {lock.sha256}, downloaded {record.sha256} "
                f"({record.size} bytes){moved}. The file changed since the lock was written."
                + refusal_advice(lock_path, removed, f"serve the pinned file again at {lock.url}")
            )
    if lock is None:
        write_lock(lock_path, record)
    elif lock.url != url:
        logger.info("%s: same bytes as pinned in %s (from %s)", url, lock_path, lock.url)
    return record
