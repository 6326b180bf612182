"""Per-patient memo of patient-wise transforms, so cross-validation never recomputes a patient's profile.

NetNorM, smoothing and the within-patient ranking of NSQN transform each patient from
its own mutations and the network alone. In nested cross-validation the same patient is
transformed in many training and validation sets, so the transformers keep their per-row
results in a `RowCache`, keyed by (the transform and its parameters, the row's content).
A row's result never depends on the other rows of the call (tested), so the memo is exact.

A cache is an object its owner passes to the transformers (`memo=`): scikit-learn's
`clone` shares it (deepcopy returns it), so every clone of a search reuses the rows;
without one, each fitted transformer keeps a private cache. Entries are evicted least
recently used beyond the cache's byte budget (400 MB by default): the benchmark visits
one grid value at a time, so only the current value's rows need to stay. Precomputed
rows (a workflow rule output) can be registered with a cache as a source, read from disk
on a miss.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from pathlib import Path

import numpy as np
import scipy.sparse as sp

logger = logging.getLogger(__name__)
_DEFAULT_BUDGET = 400 * 2**20


def row_fingerprints(X: sp.csr_matrix) -> np.ndarray:
    """A 64-bit content hash per row of a CSR matrix (column indices and values), vectorised.

    Each stored entry contributes a mixed 64-bit word of (column, value); a row's key is
    the wrapping sum of its words plus its length, so equal rows always share a key and
    different rows practically never do (about 2^-64 per pair).
    """
    X = sp.csr_matrix(X)
    X.sort_indices()
    values = X.data.astype(np.float64).view(np.uint64)
    words = _mix(X.indices.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ _mix(values))
    cumulative = np.concatenate([[np.uint64(0)], np.cumsum(words, dtype=np.uint64)])
    lengths = np.diff(X.indptr).astype(np.uint64)
    return cumulative[X.indptr[1:]] - cumulative[X.indptr[:-1]] + _mix(lengths + np.uint64(1))


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (wrapping uint64 arithmetic)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


class _Entry:
    """Rows of one transform: a growing block of result arrays and fingerprint -> row position."""

    def __init__(self) -> None:
        self.last_used = 0
        self.keys = np.empty(0, dtype=np.uint64)  # sorted fingerprints ...
        self.positions = np.empty(0, dtype=np.int64)  # ... and the row of each
        self.arrays: tuple[np.ndarray, ...] | None = None
        self.n_rows = 0

    def find(self, keys: np.ndarray) -> np.ndarray:
        """Row position of each fingerprint, -1 when absent (vectorised binary search)."""
        if len(self.keys) == 0:
            return np.full(len(keys), -1, dtype=np.int64)
        index = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where(self.keys[index] == keys, self.positions[index], -1)

    @property
    def nbytes(self) -> int:
        return 0 if self.arrays is None else sum(a[: self.n_rows].nbytes for a in self.arrays)

    def add(self, keys: np.ndarray, arrays: tuple[np.ndarray, ...]) -> None:
        if self.arrays is None:
            self.arrays = tuple(np.empty((0, *a.shape[1:]), dtype=a.dtype) for a in arrays)
        needed = self.n_rows + len(keys)
        if needed > len(self.arrays[0]):
            capacity = max(needed, int(1.5 * len(self.arrays[0])))
            grown = []
            for old in self.arrays:
                new = np.empty((capacity, *old.shape[1:]), dtype=old.dtype)
                new[: self.n_rows] = old[: self.n_rows]
                grown.append(new)
            self.arrays = tuple(grown)
        for store, rows in zip(self.arrays, arrays):
            store[self.n_rows : needed] = rows
        keys = np.concatenate([self.keys, keys])
        positions = np.concatenate([self.positions, np.arange(self.n_rows, needed)])
        order = np.argsort(keys, kind="stable")
        self.keys, self.positions = keys[order], positions[order]
        self.n_rows = needed


class RowCache:
    """LRU memo of per-row results of the transforms that share it (see module docstring)."""

    def __init__(self, name: str = "rows", max_megabytes: float = _DEFAULT_BUDGET / 2**20) -> None:
        self.name = name
        self.budget = int(max_megabytes * 2**20)
        self._entries: dict[Hashable, _Entry] = {}
        self._sources: dict[Hashable, tuple[dict[int, int], Path]] = {}
        self._tick = 0
        self._lock = threading.RLock()
        self.computed_rows = 0  # for tests and benchmarks: rows actually computed

    def __deepcopy__(self, memo) -> RowCache:
        return self  # shared by clones: its entries are exact for any transformer with the same key

    def __repr__(self) -> str:
        return f"RowCache({self.name!r}, {len(self._entries)} entries)"

    def __getstate__(self) -> dict:
        """Pickled (e.g. to another process) without its rows: a memo is only worth its process's memory."""
        return {"name": self.name, "budget": self.budget, "sources": dict(self._sources)}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["name"], state["budget"] / 2**20)
        self._sources.update(state["sources"])

    def rows(
        self,
        key: Hashable,
        X: sp.csr_matrix,
        compute: Callable[[sp.csr_matrix], tuple[np.ndarray, ...]],
        fields: tuple[int, ...] | None = None,
        store: bool = True,
    ) -> tuple[np.ndarray, ...]:
        """compute(X) row by row, reusing every row seen before under `key`; returns copies.

        fields: which of the result arrays to return (all by default); store=False computes
        (or reads) the missing rows without keeping them, for results needed only once.
        """
        if not store:
            X = sp.csr_matrix(X)
            keys = row_fingerprints(X)
            with self._lock:
                entry = self._entries.get(key)
                known = entry.find(keys) if entry is not None else np.full(len(keys), -1)
            if entry is not None and (known >= 0).all():
                return tuple(entry.arrays[i][known] for i in (fields or range(len(entry.arrays))))
            arrays = self._load_or_compute(key, keys, X, compute)
            return tuple(arrays[i] for i in (fields or range(len(arrays))))
        arrays, positions = self.locate(key, X, compute)
        return tuple(arrays[i][positions] for i in (fields or range(len(arrays))))

    def locate(
        self, key: Hashable, X: sp.csr_matrix, compute: Callable[[sp.csr_matrix], tuple[np.ndarray, ...]]
    ) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
        """Like rows(), without the copies: the memo's arrays and the position of each row of X in them.

        Read only those positions: the arrays are the memo's own (rows are only ever added,
        so the positions stay valid while the caller holds the arrays, even after eviction).
        """
        X = sp.csr_matrix(X)
        keys = row_fingerprints(X)
        with self._lock:
            entry = self._entries.setdefault(key, _Entry())
            self._tick += 1
            entry.last_used = self._tick
            known = entry.find(keys)
            missing = np.flatnonzero(known < 0)
            if len(missing):
                # distinct missing rows only (a cohort may hold identical profiles)
                unique_keys, first = np.unique(keys[missing], return_index=True)
                rows = missing[first]
                entry.add(unique_keys, self._load_or_compute(key, unique_keys, X[rows], compute))
                known = entry.find(keys)
            arrays = entry.arrays
            self._evict()
            return arrays, known

    def register_source(self, key: Hashable, X: sp.csr_matrix, path: str | Path) -> None:
        """Rows of `X` under `key` are stored, in order, in the .npy file at `path` (a cached rule output)."""
        keys = row_fingerprints(X)
        with self._lock:
            self._sources[key] = ({k: i for i, k in enumerate(keys.tolist())}, Path(path))

    def _load_or_compute(self, key, keys: np.ndarray, X: sp.csr_matrix, compute) -> tuple[np.ndarray, ...]:
        source = self._sources.get(key)
        if source is not None:
            index, path = source
            positions = [index.get(k) for k in keys.tolist()]
            if all(p is not None for p in positions):
                stored = np.load(path, mmap_mode="r")
                rows = np.array(stored[np.asarray(positions, dtype=np.int64)])  # copy, then drop the map
                del stored
                logger.debug("%s: %d rows read from %s", self.name, len(rows), path)
                return (rows,)
        self.computed_rows += X.shape[0]
        return compute(X)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._sources.clear()
            self.computed_rows = 0

    def _evict(self) -> None:
        """Drop least recently used entries until the budget holds; never the newest."""
        with self._lock:
            entries = sorted(self._entries.items(), key=lambda item: item[1].last_used)
            total = sum(entry.nbytes for _, entry in entries)
            for key, entry in entries[:-1]:
                if total <= self.budget:
                    return
                total -= entry.nbytes
                logger.debug("%s: evicting %s", self.name, key)
                del self._entries[key]
