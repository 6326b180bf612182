"""What rule scripts need from the environment they run in, whatever that environment is."""

from __future__ import annotations

import os


def share_package_source(src: str) -> None:
    """Put the checkout's `src/` first on PYTHONPATH, so every rule script (run by the venv's Python,
    in a conda environment holding only the dependencies, or on a cluster node) imports this package.
    """
    parts = [src, *[p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != src]]
    os.environ["PYTHONPATH"] = os.pathsep.join(parts)
