"""Canonical gene network: undirected, unweighted, symmetric sparse adjacency over sorted gene symbols."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from pancan.atomic import atomic_path, write_text_atomic
from pancan.errors import InputFileError


@dataclass
class GeneNetwork:
    """adjacency[i, j] = 1 iff genes[i] and genes[j] interact (i != j); genes are sorted."""

    name: str
    genes: np.ndarray
    adjacency: sp.csr_matrix

    @classmethod
    def from_edges(cls, name: str, gene_a: pd.Series, gene_b: pd.Series, source: str | Path = "edges") -> GeneNetwork:
        """Symmetrise, deduplicate and drop self-loops; an empty result is an error.

        Names are stripped; missing or empty names drop their edge. The text work is done once per
        distinct name (a network file repeats a few thousand names over up to millions of rows).
        """
        factorized = [pd.factorize(pd.Series(column)) for column in (gene_a, gene_b)]
        names = [pd.Series(raw, dtype="string").str.strip() for _, raw in factorized]
        named = [stripped.notna() & (stripped != "") for stripped in names]
        distinct = np.array(
            sorted(set().union(*(stripped[keep] for stripped, keep in zip(names, named)))), dtype=object
        )
        index = pd.Index(distinct)
        # each row's end -> its stripped name's index in `distinct`, -1 for no name (a missing value's code is -1,
        # which picks the -1 appended last)
        a, b = (
            np.append(np.where(keep, index.get_indexer(stripped.fillna("")), -1), -1)[codes]
            for (codes, _), stripped, keep in zip(factorized, names, named)
        )
        keep = (a >= 0) & (b >= 0) & (a != b)
        a, b = a[keep], b[keep]
        if len(a) == 0:
            raise InputFileError(source, f"network {name!r} has no gene-gene edge left after filtering")
        used = np.unique(np.concatenate([a, b]))  # genes of a kept edge only
        return cls.from_index_pairs(name, distinct[used], np.searchsorted(used, a), np.searchsorted(used, b))

    @classmethod
    def from_index_pairs(cls, name: str, genes: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> GeneNetwork:
        """Binary symmetric adjacency over `genes` from index pairs (duplicates merged, self-loops dropped)."""
        rows, cols = np.asarray(rows), np.asarray(cols)
        keep = rows != cols
        rows, cols = rows[keep], cols[keep]
        n = len(genes)
        upper = sp.coo_matrix(
            (np.ones(len(rows), dtype=np.int8), (np.minimum(rows, cols), np.maximum(rows, cols))), shape=(n, n)
        ).tocsr()
        upper.data[:] = 1  # duplicates summed by tocsr: back to binary
        adjacency = (upper + upper.T).tocsr()
        adjacency.sort_indices()
        return cls(name, genes, adjacency.astype(np.int8))

    @property
    def n_edges(self) -> int:
        return int(self.adjacency.nnz // 2)

    def degree(self) -> np.ndarray:
        return np.asarray(self.adjacency.sum(axis=1)).ravel().astype(np.int64)

    def summary(self) -> dict:
        degree = self.degree()
        return {
            "network": self.name,
            "nodes": len(self.genes),
            "edges": self.n_edges,
            "median_degree": float(np.median(degree)),
            "max_degree": int(degree.max()),
        }

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        with atomic_path(directory / "adjacency.npz") as tmp, open(tmp, "wb") as handle:
            sp.save_npz(handle, self.adjacency, compressed=True)
        write_text_atomic(directory / "genes.txt", "\n".join(self.genes) + "\n")

    @classmethod
    def load(cls, directory: str | Path, name: str | None = None) -> GeneNetwork:
        directory = Path(directory)
        for file in ("adjacency.npz", "genes.txt"):
            if not (directory / file).exists():
                raise InputFileError(directory / file, "network file missing; rerun prepare_network")
        genes = np.array((directory / "genes.txt").read_text().split("\n")[:-1], dtype=object)
        adjacency = sp.load_npz(directory / "adjacency.npz").tocsr()
        if adjacency.shape != (len(genes), len(genes)):
            raise InputFileError(
                directory / "adjacency.npz", f"shape {adjacency.shape} does not match {len(genes)} genes"
            )
        return cls(name or directory.name, genes, adjacency)
