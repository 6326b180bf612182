"""Exceptions that name the offending file and the problem, for users to act on."""

from __future__ import annotations

from pathlib import Path


class PancanError(Exception):
    """Base class of every error this package raises on purpose."""


class InputFileError(PancanError, ValueError):
    """A data file is malformed, incomplete or inconsistent."""

    def __init__(self, path: str | Path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class DownloadError(PancanError, OSError):
    """A download failed (HTTP error, timeout, truncated body, bad archive)."""


class ChecksumMismatchError(DownloadError):
    """Downloaded or bundled bytes differ from the recorded sha256."""


class InvalidParameterError(PancanError, ValueError):
    """An estimator or function got a parameter value it cannot use."""


class InsufficientDataError(PancanError, ValueError):
    """The data cannot support the requested fit (no death, no comparable pair, a fold without a death)."""
