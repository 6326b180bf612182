"""Package exports imported on first use, so that importing a light submodule does not import its siblings.

The Snakefile reads the registries and the config schema at every start (and inside every
cluster job); with eager package imports that pulled in scikit-learn, scipy.stats and numba.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable


def lazy_exports(namespace: dict, exports: dict[str, str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """Module `__getattr__` and `__dir__` for the package of `namespace` (its `globals()`): `exports` maps each
    name to the module defining it."""
    package = namespace["__name__"]

    def __getattr__(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # later lookups are plain attribute reads
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
