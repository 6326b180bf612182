"""Patient profiles of each representation, computed once per cohort.

A representation is clustered as its registry entry's `clustering` says
(pancan.representations.registry); the built-in ones:
* nbs (and nbs_permuted / nbs_rewired on a randomised network): NBS propagation of the
  binary profiles (D^-1 A, alpha 0.7 in the paper), read from the smooth_profiles
  rule's cache, then quantile-normalised over the clustered patients (pyNBS's qnorm);
* netnorm: NetNorM profiles with a fixed k (binary, sparse), genes no patient carries left out;
* raw: the binary mutation profiles of every mutated gene, the no-network control.

Under pyNBS's scheme (`sampling`, the default) the subsamples are drawn from the cohort's
mutations and propagated one by one; these profiles then give the signature genes and
the patients that can be clustered: those with more than `min_mutations` mutated genes
(pyNBS's filter, applied to each subsample, can keep no other). Under scheme="cohort"
they are what is clustered, and the patients with at least `min_mutations` mutated genes
are kept once, so every run sees the same patients.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from pancan.atomic import atomic_path
from pancan.data.cohort import Cohort
from pancan.errors import PancanError
from pancan.networks.gene_network import GeneNetwork
from pancan.representations import NetNorM, align_to_network
from pancan.representations.quantile import RankedProfiles, map_ranked, quantile_reference, rank_profiles
from pancan.representations.registry import REGISTRY

QUANTILE_TIES = ("median", "mean")


@dataclass
class Profiles:
    """X: clustered patients x features (dense float32 or sparse CSR); patient ids and feature genes.

    network_index: position of each feature in the network's genes (to restrict the
    influence graph to the features); empty for profiles off the network (raw).
    """

    X: np.ndarray | sp.csr_matrix
    patients: np.ndarray
    features: np.ndarray
    network_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def save(self, path: str | Path) -> None:
        arrays = {
            "patients": self.patients.astype(str),
            "features": self.features.astype(str),
            "network_index": np.asarray(self.network_index, dtype=np.int64),
        }
        if sp.issparse(self.X):
            X = sp.csr_matrix(self.X)
            arrays.update(
                sparse_data=X.data, sparse_indices=X.indices, sparse_indptr=X.indptr, sparse_shape=np.array(X.shape)
            )
        else:
            arrays["dense"] = np.asarray(self.X, dtype=np.float32)
        with atomic_path(path) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, **arrays)

    @classmethod
    def load(cls, path: str | Path) -> Profiles:
        with np.load(path, allow_pickle=False) as arrays:
            if "dense" in arrays:
                X = arrays["dense"]
            else:
                X = sp.csr_matrix(
                    (arrays["sparse_data"], arrays["sparse_indices"], arrays["sparse_indptr"]),
                    shape=tuple(arrays["sparse_shape"]),
                )
            return cls(X, arrays["patients"].astype(object), arrays["features"].astype(object), arrays["network_index"])


def clustered_patients(cohort: Cohort, min_mutations: int, strict: bool = False) -> np.ndarray:
    """Row indices of the patients with at least (strict: more than, pyNBS's filter) `min_mutations` mutated genes."""
    counts = cohort.patients["n_mutations"].to_numpy()
    return np.flatnonzero(counts > min_mutations if strict else counts >= min_mutations)


def quantile_normalise(F: np.ndarray, ties: str = "median") -> np.ndarray:
    """Each row mapped onto the mean sorted row (float64), as pyNBS's qnorm.

    The r-th smallest value of a row becomes the mean r-th smallest value of all rows.
    Values tied within a row span several sorted positions: ties="median" gives them the
    reference at the middle position (the lower one of two), which is what pyNBS's
    `rankdata(...).astype(int)` does; ties="mean" the mean reference over the positions
    (pancan's QuantileNormalizer, which keeps each row's mean equal to the reference's).
    The two differ only for tied values: zeros of genes no mutation reaches, or a
    patient with no mutated network gene (a flat profile).
    """
    ranked = rank_profiles(np.asarray(F))
    return map_to_reference(ranked, quantile_reference(ranked.sorted_values), ties)


def map_to_reference(F, reference: np.ndarray, ties: str = "median") -> np.ndarray:
    """Each row of F (or its RankedProfiles) mapped onto `reference` (sorted ascending), ties as quantile_normalise."""
    if ties not in QUANTILE_TIES:
        raise PancanError(f"quantile ties must be one of {QUANTILE_TIES}, got {ties!r}")
    ranked = F if isinstance(F, RankedProfiles) else rank_profiles(np.asarray(F))
    reference = np.asarray(reference, dtype=np.float64)
    if ties == "mean":
        return map_ranked(ranked, reference)
    return reference[(ranked.run_start.astype(np.int64) + ranked.run_end) // 2]


def nbs_profiles(smoothed: np.ndarray, rows: np.ndarray, ties: str = "median") -> np.ndarray:
    """Quantile-normalised propagated profiles of the clustered rows (reference: their mean sorted profile)."""
    return quantile_normalise(np.asarray(smoothed)[rows], ties).astype(np.float32)


def build_profiles(
    representation: str,
    cohort: Cohort,
    network: GeneNetwork | None,
    *,
    min_mutations: int = 10,
    smoothed: np.ndarray | None = None,
    netnorm_k: int = 100,
    strict: bool = False,
    ties: str = "median",
) -> Profiles:
    """The profiles of one representation (see the module docstring); strict: pyNBS's filter (more than)."""
    clustered = REGISTRY.stratification_names()
    if representation not in clustered:
        raise PancanError(f"unknown stratification representation {representation!r}; one of {clustered}")
    clustering = REGISTRY[representation].clustering
    rows = clustered_patients(cohort, min_mutations, strict)
    if len(rows) < 10:
        relation = "more than" if strict else "at least"
        raise PancanError(f"{cohort.cancer}: only {len(rows)} patients have {relation} {min_mutations} mutated genes")
    patients = cohort.patients["patient_id"].to_numpy()[rows]
    if clustering == "binary":
        X = sp.csr_matrix(cohort.mutations[rows], dtype=np.float32)
        used = np.flatnonzero(np.asarray(X.sum(axis=0)).ravel() > 0)
        return Profiles(X[:, used], patients, cohort.genes[used])
    if network is None:
        raise PancanError(f"representation {representation!r} needs a network")
    if clustering == "netnorm":
        aligned = align_to_network(cohort, network)
        X = sp.csr_matrix(NetNorM(network.adjacency, k=netnorm_k).fit_transform(aligned.X[rows]), dtype=np.float32)
        # genes no patient carries are all-zero columns: no data to factorise (about 4x fewer genes at k=100)
        used = np.flatnonzero(np.asarray(X.sum(axis=0)).ravel() > 0)
        return Profiles(X[:, used], patients, network.genes[used], used)
    if smoothed is None or smoothed.shape != (len(cohort.patients), len(network.genes)):
        raise PancanError(
            f"{representation} needs the cohort's smoothed profiles on {network.name} "
            f"({len(cohort.patients)} x {len(network.genes)})"
        )
    return Profiles(nbs_profiles(smoothed, rows, ties), patients, network.genes, np.arange(len(network.genes)))
