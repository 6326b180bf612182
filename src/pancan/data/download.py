"""HTTP downloads with timeouts, retries with backoff, atomic writes and sha256 lock files."""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from pancan import __version__
from pancan.atomic import atomic_path, write_text_atomic
from pancan.errors import ChecksumMismatchError, DownloadError

logger = logging.getLogger(__name__)

RETRYABLE_HTTP = {408, 425, 429, 500, 502, 503, 504}
CHUNK = 1 << 20


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
    except (urllib.error.URLError, socket.timeout, ConnectionError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise _RetryableError(f"{type(exc).__name__}: {reason}") from exc
    if expected is not None and received != expected:
        raise _RetryableError(f"truncated: received {received} of {expected} bytes")
    return digest.hexdigest(), received


def download(
    url: str,
    dest: str | Path,
    *,
    timeout: float = 60.0,
    retries: int = 3,
    backoff: float = 2.0,
    expected_sha256: str | None = None,
    progress_every: int = 16 * CHUNK,
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
            delay = backoff * 2 ** (attempt - 1)
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
        return DownloadRecord(url, sha256, size, datetime.now(timezone.utc).isoformat(timespec="seconds"))
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


def download_locked(url: str, dest: str | Path, lock_path: str | Path, **options) -> DownloadRecord:
    """Download and pin: the first download records its sha256 in `lock_path`; later ones must match it.

    A changed upstream file therefore fails loudly instead of silently changing
    results; delete the lock file to accept the new version. A lock for a
    different URL (the config changed) is replaced.
    """
    lock = read_lock(lock_path)
    expected = lock.sha256 if lock is not None and lock.url == url else None
    if lock is not None and expected is None:
        logger.warning("%s records %s, not %s: replacing it", lock_path, lock.url, url)
    try:
        record = download(url, dest, expected_sha256=expected, **options)
    except ChecksumMismatchError as exc:
        raise ChecksumMismatchError(
            f"{exc}. The file changed since {lock_path} was written; delete that lock file to accept the new version"
        ) from exc
    if expected is None:
        write_lock(lock_path, record)
    return record
