"""Planted-module simulation of the NBS paper (Hofree et al. 2013, Fig 2): can clustering recover subtypes
defined by mutations in network modules?

1. shuffle real binary profiles (all the cohort's mutated genes, on the network or not):
   each patient keeps its number of mutated genes, drawn again without replacement with
   probability proportional to the gene's mutation frequency in the cohort
   (co-occurrence structure destroyed, frequencies roughly kept);
2. assign patients uniformly at random to `n_subtypes` subtypes and draw one module per
   subtype in the network that is clustered on: disjoint connected gene sets grown from
   a random gene, each step adding the neighbour that keeps the set's conductance lowest
   (densely connected inside, few edges leaving);
3. move a fraction f of each patient's mutations into its subtype's module: round(f n)
   (rounded at random, so f on average) random mutations are removed and as many
   unmutated module genes are mutated.

Then every method clusters the same pyNBS subsamples (`sampling`: patients and mutated
genes drawn, patients with more than min_mutations sampled mutated genes kept), so they
differ only in what they factorise:

* nbs: the subsample propagated on the network and quantile-normalised (every network
  gene), network NMF at each regularisation lambda (0: plain multiplicative NMF);
* raw, universe "all": the binary profiles of every sampled gene (scikit-learn NMF);
* raw, universe "network": the binary profiles of the sampled network genes only, the
  genes NBS sees; planted mutations are all there, so this separates the effect of the
  network (propagation, regulariser) from that of leaving the off-network genes out.

The random draws of steps 1-3 depend on (seed, module size) only, so for a given seed
the datasets of increasing f are nested: only the planted fraction changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.metrics import adjusted_rand_score

from pancan.errors import PancanError
from pancan.stratification.consensus import UNSAMPLED, initial_seeds
from pancan.stratification.model_selection import consensus_over_k
from pancan.stratification.network_nmf import Factorization, factorize, network_nmf
from pancan.stratification.sampling import Propagation, draw_pynbs_subsample, mutated_columns, subsample_profiles


def shuffle_profiles(X, rng: np.random.Generator) -> sp.csr_matrix:
    """Same mutation count per patient; genes drawn with probability proportional to their frequency."""
    X = sp.csr_matrix(X)
    counts = np.diff(X.indptr)
    weight = np.asarray((X != 0).sum(axis=0), dtype=np.float64).ravel()
    with np.errstate(divide="ignore"):
        keys = -np.log(rng.random(X.shape)) / weight  # exponential keys: weighted sampling without replacement
    order = np.argsort(keys, axis=1)
    keep = np.arange(X.shape[1])[None, :] < counts[:, None]
    rows = np.repeat(np.arange(X.shape[0]), counts)
    return sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, order[keep])), shape=X.shape)


def draw_modules(
    adjacency, n_modules: int, size: int, rng: np.random.Generator, max_tries: int = 100
) -> list[np.ndarray]:
    """Disjoint connected gene sets of `size` genes, each grown greedily to keep its conductance low.

    From a random gene, repeatedly add the neighbouring gene that gives the set the lowest
    conductance (edges leaving it / edges of its genes), so that most of the module's
    edges stay inside it. Growing by the most links into the set instead picks hubs
    (on Pathway Commons, modules of median degree 200-950 with 2-18% of their edges
    inside), whose planted mutations propagation spreads over the whole network.
    """
    adjacency = sp.csr_matrix(adjacency, dtype=np.float64)
    n_genes = adjacency.shape[0]
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    used = np.zeros(n_genes, dtype=bool)
    modules = []
    for _ in range(max_tries):
        if len(modules) == n_modules:
            return modules
        seed_gene = int(rng.choice(np.flatnonzero(~used)))
        members = [seed_gene]
        links = adjacency[seed_gene].toarray().ravel()  # links of every gene into the set
        cut, volume = degree[seed_gene], degree[seed_gene]
        taken = used.copy()
        taken[seed_gene] = True
        while len(members) < size:
            candidate = ~taken & (links > 0)
            if not candidate.any():
                break  # the seed's component is exhausted: start again elsewhere
            conductance = (cut + degree - 2 * links) / (volume + degree)
            score = np.where(candidate, conductance + 1e-9 * rng.random(n_genes), np.inf)  # ties at random
            best = int(np.argmin(score))
            members.append(best)
            taken[best] = True
            cut += degree[best] - 2 * links[best]
            volume += degree[best]
            links += adjacency[best].toarray().ravel()
        if len(members) == size:
            used[members] = True
            modules.append(np.sort(np.array(members)))
    raise PancanError(f"could not draw {n_modules} disjoint connected modules of {size} genes")


@dataclass
class PlantingDraws:
    """The random numbers of step 3, fixed for a dataset so that plants of increasing f are nested."""

    removal_keys: np.ndarray  # one per mutation (CSR data order)
    addition_keys: np.ndarray  # patients x module size
    rounding: np.ndarray  # one uniform per patient


def planting_draws(X: sp.csr_matrix, module_size: int, rng: np.random.Generator) -> PlantingDraws:
    return PlantingDraws(rng.random(X.nnz), rng.random((X.shape[0], module_size)), rng.random(X.shape[0]))


def plant_modules(
    X, subtypes: np.ndarray, modules: list[np.ndarray], fraction: float, draws: PlantingDraws
) -> sp.csr_matrix:
    """Move round(fraction x n_i) of patient i's mutations into the module of its subtype (vectorised)."""
    if not 0 <= fraction <= 1:
        raise PancanError(f"planted fraction must be in [0, 1], got {fraction}")
    X = sp.csr_matrix(X, dtype=np.float32)
    X.sort_indices()
    n_patients, n_genes = X.shape
    counts = np.diff(X.indptr)
    moved = np.floor(fraction * counts + draws.rounding).astype(int) if fraction > 0 else np.zeros(n_patients, int)
    module_genes = np.stack(modules)[subtypes]  # patients x module size
    # candidate genes: the patient's module genes it does not already carry
    carried = (
        np.asarray(X[np.repeat(np.arange(n_patients), module_genes.shape[1]), module_genes.ravel()]).reshape(
            module_genes.shape
        )
        > 0
    )
    keys = np.where(carried, np.inf, draws.addition_keys)
    moved = np.minimum(moved, (~carried).sum(axis=1))
    # remove `moved` mutations per patient: those with the smallest removal keys, outside the module
    rows = np.repeat(np.arange(n_patients), counts)
    in_module = np.zeros(X.nnz, dtype=bool)
    membership = sp.csr_matrix(
        (
            np.ones(module_genes.size, dtype=bool),
            (np.repeat(np.arange(n_patients), module_genes.shape[1]), module_genes.ravel()),
        ),
        shape=X.shape,
    )
    in_module[:] = np.asarray(membership[rows, X.indices]).ravel()
    removal = np.where(in_module, np.inf, draws.removal_keys)
    order = np.lexsort((removal, rows))
    rank = np.empty(X.nnz, dtype=int)
    rank[order] = np.arange(X.nnz) - np.repeat(X.indptr[:-1], counts)
    moved = np.minimum(moved, counts - np.bincount(rows[in_module], minlength=n_patients))
    kept = rank >= moved[rows]
    add_order = np.argsort(keys, axis=1)
    add_mask = np.arange(module_genes.shape[1])[None, :] < moved[:, None]
    added_genes = np.take_along_axis(module_genes, add_order, axis=1)[add_mask]
    added_rows = np.repeat(np.arange(n_patients), moved)
    new_rows = np.concatenate([rows[kept], added_rows])
    new_cols = np.concatenate([X.indices[kept], added_genes])
    return sp.csr_matrix((np.ones(len(new_rows), dtype=np.float32), (new_rows, new_cols)), shape=(n_patients, n_genes))


def simulated_dataset(X, adjacency, n_subtypes: int, module_size: int, seed: int):
    """Steps 1-2 and step 3's random numbers: shuffled profiles, planted subtypes, modules, planting draws."""
    rng = np.random.default_rng([seed, module_size])
    base = shuffle_profiles(X, rng)
    planted = rng.integers(n_subtypes, size=base.shape[0])
    modules = draw_modules(adjacency, n_subtypes, module_size, rng)
    return base, planted, modules, planting_draws(base, module_size, rng)


def consensus_of(labels: np.ndarray, n_subtypes: int) -> tuple[np.ndarray, np.ndarray]:
    """Consensus subtypes (k = n_subtypes) of (runs, patients) labels, and the mask of patients ever clustered."""
    result = consensus_over_k(labels[None], [n_subtypes])
    return result["subtypes"][0], result["clustered"]


def simulate_recovery(
    X,
    n_network: int,
    adjacency,
    knn,
    *,
    fractions,
    module_size: int,
    seed: int,
    n_subtypes: int = 4,
    runs: int = 20,
    alpha: float = 0.7,
    regularizations=(200.0,),
    max_iter: int = 249,
    tol: float = 0.0,
    raw_universes=("all", "network"),
    raw_factorization: Factorization | None = None,
    patient_fraction: float = 0.8,
    gene_fraction: float = 0.8,
    min_mutations: int = 10,
) -> pd.DataFrame:
    """ARI between planted and recovered subtypes, one row per fraction and method (see the module docstring).

    X: real binary profiles, patients x genes, the network's n_network genes first (in
    the order of `adjacency` and `knn`), then the mutated genes off the network.
    Columns: method, universe, regularization (nbs), fraction, module_size, seed, ari,
    patients (clustered: in at least one subsample).
    """
    X = sp.csr_matrix(X, dtype=np.float32)
    raw_factorization = raw_factorization or Factorization("nmf", 0.0, 200, 1e-4)
    lambdas = [float(lam) for lam in regularizations]
    base, planted, modules, draws = simulated_dataset(X, adjacency, n_subtypes, module_size, seed)
    propagation = Propagation(adjacency, alpha)
    methods = [("nbs", "network", lam) for lam in lambdas] + [("raw", universe, np.nan) for universe in raw_universes]
    rows = []
    for fraction in fractions:
        mutated = plant_modules(base, planted, modules, fraction, draws)
        genes = mutated_columns(mutated)
        labels = np.full((len(methods), runs, mutated.shape[0]), UNSAMPLED, dtype=np.int8)
        for run in range(runs):
            sample = draw_pynbs_subsample(
                mutated,
                run,
                seed,
                patient_fraction=patient_fraction,
                gene_fraction=gene_fraction,
                min_mutations=min_mutations,
                genes=genes,
            )
            (init_seed,) = initial_seeds(seed, run, [n_subtypes])
            profiles = subsample_profiles(mutated, sample, propagation)
            # every lambda from the same start, in one stacked fit (the data products are shared)
            fits = network_nmf(
                profiles,
                [n_subtypes] * len(lambdas),
                knn,
                regularization=lambdas,
                max_iter=max_iter,
                tol=tol,
                seeds=[init_seed] * len(lambdas),
            )
            loadings = [fit[0] for fit in fits]
            for universe in raw_universes:
                columns = sample.features if universe == "all" else sample.features[sample.features < n_network]
                data = mutated[sample.patients][:, columns]
                (load,) = factorize(data, [n_subtypes], raw_factorization, seeds=[init_seed])
                loadings.append(load)
            for m, load in enumerate(loadings):
                labels[m, run, sample.patients] = np.argmax(load, axis=1)
        for (method, universe, lam), method_labels in zip(methods, labels):
            found, clustered = consensus_of(method_labels, n_subtypes)
            rows.append(
                {
                    "method": method,
                    "universe": universe,
                    "regularization": lam,
                    "fraction": fraction,
                    "module_size": module_size,
                    "seed": seed,
                    "ari": adjusted_rand_score(planted[clustered], found),
                    "patients": int(clustered.sum()),
                }
            )
    return pd.DataFrame(rows)
