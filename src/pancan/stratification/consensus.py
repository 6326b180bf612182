"""Consensus clustering (Monti et al. 2003, as in NBS): subsample, factorise, co-cluster, cut a tree.

`cluster_runs` is pancan's earlier scheme (stratification scheme "cohort"): it subsamples
profiles computed once per cohort; pyNBS's scheme, the default, is `sampling.cluster_runs_pynbs`.
Run r draws `patient_fraction` of the patients and `gene_fraction` of the features
with numpy's generator seeded by (seed, r), so a run's subsample and result do not
depend on how runs are split into jobs. Each sampled patient goes to its largest NMF
component. The consensus of two patients is the fraction of the runs that sampled both
in which they fell in the same cluster; final subtypes cut the average-linkage tree of
1 - consensus (scipy) into k clusters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, leaves_list, linkage
from scipy.spatial.distance import squareform

from pancan.errors import PancanError
from pancan.stratification.network_nmf import Factorization, factorize

UNSAMPLED = -1


@dataclass
class Subsample:
    """Sorted patient (row) and feature (column) indices of one run."""

    patients: np.ndarray
    features: np.ndarray


def draw_subsample(
    n_patients: int, n_features: int, run: int, seed: int, patient_fraction: float = 0.8, feature_fraction: float = 0.8
) -> Subsample:
    """Run `run`'s subsample: round(fraction x n) patients and features without replacement."""
    if not (0 < patient_fraction <= 1 and 0 < feature_fraction <= 1):
        raise PancanError("subsampling fractions must be in (0, 1]")
    rng = np.random.default_rng([seed, run])
    patients = np.sort(rng.choice(n_patients, max(1, round(patient_fraction * n_patients)), replace=False))
    features = np.sort(rng.choice(n_features, max(1, round(feature_fraction * n_features)), replace=False))
    return Subsample(patients, features)


def initial_seeds(seed: int, run: int, ranks) -> list[int]:
    """One NMF initialisation seed per rank, drawn the same way whatever the other ranks."""
    return [int(np.random.default_rng([seed, run, k]).integers(0, 2**31 - 1)) for k in ranks]


def cluster_runs(
    X,
    runs,
    ranks,
    factorization: Factorization,
    *,
    seed: int,
    knn=None,
    patient_fraction: float = 0.8,
    feature_fraction: float = 0.8,
) -> np.ndarray:
    """Cluster labels of every patient in each run, shape (len(ranks), len(runs), patients), int8.

    -1 marks a patient the run did not sample. X: patients x features (dense or
    sparse); knn: features x features influence graph (network_nmf only).
    """
    n_patients, n_features = X.shape
    if knn is not None and knn.shape != (n_features, n_features):
        raise PancanError(
            f"the influence graph has {knn.shape[0]} genes but X has {n_features} feature columns: X's columns "
            "must be the graph's genes in its order (align_to_network(...).X[:, :n_network] for a network's graph)"
        )
    labels = np.full((len(ranks), len(runs), n_patients), UNSAMPLED, dtype=np.int8)
    for position, run in enumerate(runs):
        sample = draw_subsample(n_patients, n_features, run, seed, patient_fraction, feature_fraction)
        data = X[sample.patients][:, sample.features]
        graph = knn[sample.features][:, sample.features] if knn is not None else None
        loadings = factorize(data, ranks, factorization, knn=graph, seeds=initial_seeds(seed, run, ranks))
        for r, load in enumerate(loadings):
            labels[r, position, sample.patients] = np.argmax(load, axis=1)
    return labels


def consensus_matrix(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Consensus (patients x patients, float32) and co-sampling counts from (runs, patients) labels.

    Co-clustered counts are sum over runs of one-hot(labels) one-hot^T; co-sampled
    counts, sampled sampled^T. Pairs never sampled together get consensus 0 (pyNBS's choice).
    """
    labels = np.asarray(labels)
    n_runs, n_patients = labels.shape
    sampled = labels != UNSAMPLED
    run_index, patient_index = np.nonzero(sampled)
    n_clusters = int(labels.max()) + 1 if sampled.any() else 1
    one_hot = sp.csr_matrix(
        (
            np.ones(len(run_index), dtype=np.float32),
            (patient_index, run_index * n_clusters + labels[run_index, patient_index]),
        ),
        shape=(n_patients, n_runs * n_clusters),
    )
    together = (one_hot @ one_hot.T).toarray()
    indicator = sampled.T.astype(np.float32)
    co_sampled = indicator @ indicator.T
    consensus = np.divide(together, co_sampled, out=np.zeros_like(together), where=co_sampled > 0)
    return consensus.astype(np.float32), co_sampled.astype(np.int32)


def consensus_linkage(consensus: np.ndarray) -> np.ndarray:
    """Average-linkage tree (scipy) of the distances 1 - consensus."""
    distance = 1.0 - np.asarray(consensus, dtype=np.float64)
    np.fill_diagonal(distance, 0.0)
    return linkage(squareform(distance, checks=False), method="average")


def consensus_subtypes(tree: np.ndarray, k: int) -> np.ndarray:
    """Cut the tree into k clusters, labelled 1..k by decreasing size (ties: first patient first)."""
    raw = fcluster(tree, k, criterion="maxclust")
    clusters, first, sizes = np.unique(raw, return_index=True, return_counts=True)
    order = np.lexsort((first, -sizes))
    relabel = np.empty(clusters.max() + 1, dtype=int)
    relabel[clusters[order]] = np.arange(1, len(clusters) + 1)
    return relabel[raw]


def leaf_order(tree: np.ndarray) -> np.ndarray:
    """Patients in dendrogram order (for the consensus heatmap)."""
    return leaves_list(tree)
