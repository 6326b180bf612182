"""Patient profiles that stratification clusters, one per representation, computed once per cohort.

* nbs (and nbs_permuted / nbs_rewired on a randomised network): NBS propagation of the
  binary profiles (D^-1 A, alpha 0.7 in the paper), read from the smooth_profiles
  rule's cache, then quantile-normalised over the clustered patients (pyNBS's qnorm);
* netnorm: NetNorM profiles with a fixed k (binary, sparse), genes no patient carries left out;
* raw: the binary mutation profiles of every mutated gene, the no-network control.

Patients with fewer than `min_mutations` mutated genes are left out (pyNBS drops them
from each subsample; here they are dropped once, so every run sees the same patients).
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
from pancan.representations import NetNorM, QuantileNormalizer, align_to_network

REPRESENTATIONS = ("nbs", "netnorm", "raw", "nbs_permuted", "nbs_rewired")


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


def clustered_patients(cohort: Cohort, min_mutations: int) -> np.ndarray:
    """Row indices of the patients with at least `min_mutations` mutated genes."""
    return np.flatnonzero(cohort.patients["n_mutations"].to_numpy() >= min_mutations)


def nbs_profiles(smoothed: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Quantile-normalised propagated profiles of the clustered rows (reference: their mean sorted profile)."""
    return QuantileNormalizer().fit_transform(np.asarray(smoothed)[rows]).astype(np.float32)


def build_profiles(
    representation: str,
    cohort: Cohort,
    network: GeneNetwork | None,
    *,
    min_mutations: int = 10,
    smoothed: np.ndarray | None = None,
    netnorm_k: int = 100,
) -> Profiles:
    """The clustering input of one representation (see the module docstring)."""
    if representation not in REPRESENTATIONS:
        raise PancanError(f"unknown stratification representation {representation!r}; one of {REPRESENTATIONS}")
    rows = clustered_patients(cohort, min_mutations)
    if len(rows) < 10:
        raise PancanError(f"{cohort.cancer}: only {len(rows)} patients have >= {min_mutations} mutated genes")
    patients = cohort.patients["patient_id"].to_numpy()[rows]
    if representation == "raw":
        X = sp.csr_matrix(cohort.mutations[rows], dtype=np.float32)
        used = np.flatnonzero(np.asarray(X.sum(axis=0)).ravel() > 0)
        return Profiles(X[:, used], patients, cohort.genes[used])
    if network is None:
        raise PancanError(f"representation {representation!r} needs a network")
    if representation == "netnorm":
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
    return Profiles(nbs_profiles(smoothed, rows), patients, network.genes, np.arange(len(network.genes)))
