"""pyNBS's subsampling scheme, the default: sample the mutations, then propagate and normalise each subsample.

pyNBS (Huang et al. 2018, the reference implementation of Hofree et al. 2013) builds each
subsample from the binary mutation matrix (`subsample_sm_mat`, then `NBS_single`):

1. round(0.8 n) of the cohort's patients and round(0.8 g) of its mutated genes (on the
   network or not), without replacement;
2. keeps the patients with *more than* `min_mutations` (10) mutated genes among the
   sampled genes, so which patients a run clusters depends on the run;
3. propagates their sampled mutations over the network (D^-1 A, alpha 0.7) and
   quantile-normalises the propagated profiles over those patients (tied values take
   the reference at the middle of their run, as pyNBS's qnorm);
4. factorises the profiles on *every* network gene with the whole kNN influence graph.

The `raw` control follows the same subsamples (same patients, same genes) without steps
3-4's network: the binary profiles of the sampled genes, factorised by plain NMF.

scheme="cohort" is pancan's earlier scheme (`consensus.cluster_runs` on the profiles of
`profiles.build_profiles`): propagate and normalise once per cohort, keep the patients
with at least `min_mutations` mutated genes once, and subsample network-gene columns of
the propagated profiles, cutting the kNN graph to them. It propagates once instead of
once per subsample and factorises 80% of the genes, but it is another method: its
consensus subtypes agree with pyNBS's less than pyNBS's agree with themselves under
another seed (docs: tests/test_pynbs_reference.py and the NBS section of the docs).

Run r is drawn with numpy's generator seeded by (seed, r), so a run's subsample and
result do not depend on how runs are split into jobs.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from pancan.errors import PancanError
from pancan.representations import smooth
from pancan.stratification.consensus import UNSAMPLED, Subsample, initial_seeds
from pancan.stratification.network_nmf import Factorization, factorize
from pancan.stratification.profiles import quantile_normalise

SCHEMES = ("pynbs", "cohort")
PROPAGATION_TOL = 1e-6  # relative residual of the conjugate-gradient propagation (float32 profiles)
DENSE_KERNEL_GENES = 4096  # networks up to this size propagate with a dense kernel (at most 128 MB)


class Propagation:
    """NBS propagation (D^-1 A, alpha) of binary profiles on one network, for many subsamples.

    Up to DENSE_KERNEL_GENES genes, through the dense kernel (1 - alpha) (I - alpha D^-1 A)^-1,
    inverted once (pyNBS's own way): a subsample then costs one sparse-times-dense product,
    where conjugate gradients would multiply by the network at every iteration (pyNBS's
    2,291-gene cancer subnetwork has 204,453 edges). Larger networks (Pathway Commons:
    20,057 genes, a 1.6 GB kernel) are solved by conjugate gradients per subsample
    (`pancan.representations.smooth`, relative residual PROPAGATION_TOL).
    """

    def __init__(self, adjacency, alpha: float = 0.7):
        self.adjacency = sp.csr_matrix(adjacency, dtype=np.float64)
        self.alpha = alpha
        self.kernel = None
        n = self.adjacency.shape[0]
        if n <= DENSE_KERNEL_GENES:
            degree = np.asarray(self.adjacency.sum(axis=1)).ravel()
            with np.errstate(divide="ignore"):
                inverse_degree = np.where(degree > 0, 1.0 / degree, 0.0)
            walk = (sp.diags(inverse_degree) @ self.adjacency).toarray()
            self.kernel = (1.0 - alpha) * np.linalg.inv(np.eye(n) - alpha * walk)

    def __call__(self, binary) -> np.ndarray:
        """Propagated profiles (patients x genes, dense) of binary patients x network genes."""
        if self.kernel is not None:
            return np.asarray(sp.csr_matrix(binary, dtype=np.float64) @ self.kernel)
        return smooth(binary, self.adjacency, self.alpha, normalization="degree", tol=PROPAGATION_TOL)


def mutated_columns(mutations) -> np.ndarray:
    """Columns with at least one mutation: the genes pyNBS samples from (its matrix has no other)."""
    return np.flatnonzero(np.diff(sp.csc_matrix(mutations).indptr) > 0)


def draw_pynbs_subsample(
    mutations: sp.csr_matrix,
    run: int,
    seed: int,
    *,
    patient_fraction: float = 0.8,
    gene_fraction: float = 0.8,
    min_mutations: int = 10,
    genes: np.ndarray | None = None,
) -> Subsample:
    """Run `run`'s patients (those kept after the filter) and sampled gene columns, both sorted.

    mutations: binary patients x genes (CSR); genes: the columns to sample from (default:
    the mutated ones). Python's round, as pyNBS (halves to even).
    """
    if not (0 < patient_fraction <= 1 and 0 < gene_fraction <= 1):
        raise PancanError("subsampling fractions must be in (0, 1]")
    genes = mutated_columns(mutations) if genes is None else np.asarray(genes)
    n_patients = mutations.shape[0]
    rng = np.random.default_rng([seed, run])
    patients = np.sort(rng.choice(n_patients, max(1, round(patient_fraction * n_patients)), replace=False))
    sampled = np.sort(rng.choice(genes, max(1, round(gene_fraction * len(genes))), replace=False))
    mask = np.zeros(mutations.shape[1], dtype=np.float32)
    mask[sampled] = 1.0
    counts = np.asarray(mutations[patients] @ mask).ravel()
    return Subsample(patients[counts > min_mutations], sampled)


def subsample_profiles(
    mutations: sp.csr_matrix, sample: Subsample, propagation: Propagation, *, ties: str = "median"
) -> np.ndarray:
    """Quantile-normalised propagation (kept patients x network genes, float32) of one subsample.

    The first columns of `mutations` are the network's genes in its order.
    """
    n_network = propagation.adjacency.shape[0]
    mask = np.zeros(n_network, dtype=np.float32)
    mask[sample.features[sample.features < n_network]] = 1.0
    binary = sp.csr_matrix(mutations[sample.patients][:, :n_network].multiply(mask[None, :]), dtype=np.float32)
    return quantile_normalise(propagation(binary), ties).astype(np.float32)


def cluster_runs_pynbs(
    mutations,
    runs,
    ranks,
    factorization: Factorization,
    *,
    seed: int,
    n_network: int = 0,
    adjacency=None,
    knn=None,
    alpha: float = 0.7,
    patient_fraction: float = 0.8,
    gene_fraction: float = 0.8,
    min_mutations: int = 10,
    ties: str = "median",
) -> np.ndarray:
    """Cluster labels of every patient in each run by pyNBS's scheme, shape (len(ranks), len(runs), patients), int8.

    mutations: binary patients x genes, the network's genes first (n_network of them, in
    the order of `adjacency` and `knn`), then the genes off the network. With `adjacency`,
    NBS: each subsample is propagated, quantile-normalised and factorised on the network's
    genes (network NMF with `knn`, or plain NMF); without, the binary profiles of the
    sampled genes are factorised (the raw control). -1 marks a patient the run did not
    sample or filtered out.
    """
    mutations = sp.csr_matrix(mutations, dtype=np.float32)
    ranks = [int(k) for k in ranks]
    if adjacency is not None and not (0 < n_network <= mutations.shape[1] and adjacency.shape == (n_network,) * 2):
        raise PancanError(
            f"the network ({adjacency.shape[0]} genes) must be the first n_network = {n_network} of the "
            f"{mutations.shape[1]} columns"
        )
    if knn is not None and knn.shape != (n_network,) * 2:
        raise PancanError(
            f"the influence graph has {knn.shape[0]} genes, the network n_network = {n_network}: build both from "
            "the same network (influence_knn_graph(network.adjacency)) and align the mutations to it "
            "(align_to_network)"
        )
    genes = mutated_columns(mutations)
    propagation = Propagation(adjacency, alpha) if adjacency is not None else None
    labels = np.full((len(ranks), len(runs), mutations.shape[0]), UNSAMPLED, dtype=np.int8)
    for position, run in enumerate(runs):
        sample = draw_pynbs_subsample(
            mutations,
            run,
            seed,
            patient_fraction=patient_fraction,
            gene_fraction=gene_fraction,
            min_mutations=min_mutations,
            genes=genes,
        )
        if len(sample.patients) <= max(ranks):
            raise PancanError(
                f"subsample {run}: only {len(sample.patients)} patients have more than {min_mutations} sampled "
                f"mutated genes, not more than the largest k ({max(ranks)}): lower stratification.ks"
            )
        if propagation is not None:
            data = subsample_profiles(mutations, sample, propagation, ties=ties)
            graph = knn
        else:
            data = mutations[sample.patients][:, sample.features]
            graph = None
        loadings = factorize(data, ranks, factorization, knn=graph, seeds=initial_seeds(seed, run, ranks))
        for r, load in enumerate(loadings):
            labels[r, position, sample.patients] = np.argmax(load, axis=1)
    return labels
