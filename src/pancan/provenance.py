"""Which code made a result: the package modules a rule script imports, and the source tree's hash.

Snakemake reruns a job when its rule's script changes, but not when a package module it
calls changes. Each rule therefore takes `code_hash(script)` as a parameter: a hash of
the script and of every `pancan` module it imports, directly or through other modules
(found by reading their import statements, lazy imports inside functions included). An
edit of `pancan/models/` then reruns the evaluation jobs, and not the cohorts, which
never import it. Result tables record the package version and the hash of the whole
source tree that produced them (`stamp`).
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from pancan import __version__

if TYPE_CHECKING:
    import pandas as pd

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parents[1]


def _module_file(name: str) -> Path | None:
    """The file of a `pancan...` module or package, None if there is none."""
    parts = name.split(".")[1:]
    base = PACKAGE.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


_FROM = re.compile(r"^[ \t]*from[ \t]+(pancan(?:\.\w+)*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)", re.MULTILINE)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+(pancan(?:\.\w+)*)", re.MULTILINE)
# a module named in a string, as the packages' lazy exports name theirs (pancan.lazy_exports)
_NAMED = re.compile(r"[\"'](pancan(?:\.\w+)+)[\"']")


@cache
def _imports(path: Path) -> set[str]:
    """`pancan` modules a file imports anywhere in it (lazy imports too), with their parent packages.

    Read from the import statements' text, not by executing them: a statement quoted in a
    docstring counts too, which can only add a dependency, never lose one. So does a module
    named in a string: a package's lazy exports are imported by name.
    """
    text = path.read_text()
    names = {match.group(1) for match in _IMPORT.finditer(text)}
    names.update(match.group(1) for match in _NAMED.finditer(text))
    for match in _FROM.finditer(text):
        module = match.group(1)
        names.add(module)
        # `from pancan.x import y`: y is a module of package x, or a name defined in x
        imported = match.group(2).split("#")[0].strip("() \n")
        names.update(f"{module}.{part.split()[0]}" for part in imported.replace("\n", ",").split(",") if part.strip())
    parents = {".".join(name.split(".")[: i + 1]) for name in names for i in range(name.count(".") + 1)}
    return {name for name in parents if _module_file(name) is not None}


@cache
def module_files(script: str | Path) -> tuple[Path, ...]:
    """The script and every `pancan` module file it imports, transitively, sorted."""
    start = Path(script).resolve()
    seen: set[Path] = {start}
    pending = [start]
    while pending:
        for name in _imports(pending.pop()):
            path = _module_file(name)
            if path not in seen:
                seen.add(path)
                pending.append(path)
    return tuple(sorted(seen))


def _digest(paths, root: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(root) if path.is_relative_to(root) else path.name).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


@cache
def code_hash(script: str | Path) -> str:
    """Hash of a rule script and of the package modules it runs (16 hex digits)."""
    return _digest(module_files(script), CHECKOUT)


@cache
def source_hash() -> str:
    """Hash of the whole source tree: package, rule scripts, rules and schema (16 hex digits)."""
    files = [
        *PACKAGE.rglob("*.py"),
        *(CHECKOUT / "scripts").glob("*.py"),
        *(CHECKOUT / "workflow").rglob("*.smk"),
        *(CHECKOUT / "workflow" / "schemas").glob("*.yaml"),
        CHECKOUT / "Snakefile",
    ]
    return _digest(sorted(path for path in files if path.is_file()), CHECKOUT)


def stamp(table: pd.DataFrame) -> pd.DataFrame:
    """The table with two last columns: the pancan version and source hash that produced it."""
    return table.assign(pancan_version=__version__, pancan_source=source_hash())
