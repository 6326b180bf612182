"""What each benchmarked representation computes, split into a patient-wise part and fold-fitted steps.

The patient-wise part (NetNorM, smoothing, raw columns) transforms each patient
from its own mutations and the network alone: nothing is learned from other
patients, so it is computed once on the whole cohort per parameter value. Any
step that learns from data (quantile-normalisation reference, variance filter,
scaling, clinical encoding) is in `fold_steps` and is fitted on the training
rows of each split only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import TransformerMixin
from sklearn.pipeline import Pipeline

from pancan.benchmark.fold_features import AsText, ColumnScaler, VarianceFilter, clinical_encoder
from pancan.errors import PancanError
from pancan.networks.gene_network import GeneNetwork
from pancan.representations.quantile import RankedProfiles, ReferenceQuantileMap, rank_profiles
from pancan.representations import (
    AlignedMutations,
    MutationCount,
    netnorm_profiles,
    netnorm_ranks,
    smooth,
)

MUTATION_REPRESENTATIONS = (
    "raw",
    "raw_network",
    "mutation_count",
    "netnorm",
    "nsqn",
    "smoothing",
    "netnorm_permuted",
    "netnorm_rewired",
    "nsqn_permuted",
    "nsqn_rewired",
)
CLINICAL = "clinical"


@dataclass
class RepresentationSpec:
    """A representation: parameter grid, patient-wise matrix per value, and fold-fitted steps."""

    name: str
    parameter: str | None
    grid: list
    matrix: Callable  # parameter value -> patients x features (sparse, dense or DataFrame)
    feature_names: Callable  # parameter value -> names of the matrix's columns
    fold_steps: Callable[[], list[tuple[str, TransformerMixin]]] = field(default=lambda: [])

    def fold_pipeline(self, max_features: int | None, scale: bool = False) -> Pipeline:
        """Fold-fitted steps, then the variance filter and (optionally) per-column scaling.

        Scaling is off by default: dividing binary mutation columns by their standard
        deviation inflates rare mutations under an L1 penalty (measured on LUAD:
        mean C 0.50 with scaling, 0.52-0.53 without, for raw and NetNorM).
        """
        steps = list(self.fold_steps())
        if self.name != CLINICAL:
            steps.append(("filter", VarianceFilter(max_features)))
        if scale:
            steps.append(("scale", ColumnScaler()))
        return Pipeline(steps)


def build_spec(
    name: str,
    aligned: AlignedMutations,
    networks: dict[str, GeneNetwork],
    settings: dict,
    clinical: pd.DataFrame | None = None,
    n_jobs: int = 1,
) -> RepresentationSpec:
    """The spec for `name`; `networks` maps "main", "permuted", "rewired" to gene networks on one gene index."""
    X, genes, n_network = aligned.X, aligned.genes, aligned.n_network
    base, _, control = name.partition("_")
    if name in ("netnorm_permuted", "netnorm_rewired", "nsqn_permuted", "nsqn_rewired"):
        network = networks.get(control)
        if network is None:
            raise PancanError(f"representation {name} needs the {control} control network")
        name_base = base
    else:
        network, name_base = networks["main"], name
    network_genes = genes[:n_network]
    if network is not None and len(network.genes) != n_network:
        raise PancanError(f"network {network.name} has {len(network.genes)} genes; the matrix was aligned to {n_network}")

    if name_base == "raw":
        return RepresentationSpec(name, None, [None], lambda _: X, lambda _: genes)
    if name_base == "raw_network":
        return RepresentationSpec(name, None, [None], lambda _: X[:, :n_network], lambda _: network_genes)
    if name_base == "mutation_count":
        counts = MutationCount().fit_transform(X)
        return RepresentationSpec(name, None, [None], lambda _: counts, lambda _: np.array(["mutation_count"]))
    if name_base == "netnorm":
        grid = sorted(int(k) for k in settings["netnorm_k"])
        if grid[-1] > n_network:
            raise PancanError(f"NetNorM k={grid[-1]} is larger than the {n_network} genes of network {network.name}")
        ranks = netnorm_ranks(X, network.adjacency, grid[-1])
        return RepresentationSpec(
            name, "k", grid, lambda k: netnorm_profiles(ranks, int(k), n_network), lambda _: network_genes
        )
    if name_base in ("nsqn", "smoothing"):
        options = settings["smoothing"]

        def smoothed(alpha: float) -> np.ndarray:
            return smooth(X, network.adjacency, float(alpha), normalization=options["normalization"],
                          tol=options["tol"], n_jobs=n_jobs)

        grid = sorted(float(a) for a in settings["smoothing_alpha"])
        if name_base == "smoothing":
            return RepresentationSpec(name, "alpha", grid, lru_cache(maxsize=None)(smoothed), lambda _: network_genes)

        # NSQN: within-patient ranks once per alpha; only the reference is fitted per training set
        @lru_cache(maxsize=None)
        def ranked(alpha: float) -> RankedProfiles:
            return rank_profiles(smoothed(alpha), n_jobs=n_jobs)

        return RepresentationSpec(name, "alpha", grid, ranked, lambda _: network_genes,
                                  lambda: [("quantile", ReferenceQuantileMap())])
    if name == CLINICAL:
        if clinical is None or clinical.shape[1] == 0:
            raise PancanError("no clinical covariate available for the clinical model")
        return RepresentationSpec(
            name,
            None,
            [None],
            lambda _: clinical,
            lambda _: None,  # encoded names come from the fitted encoder
            lambda: [("text", AsText()), ("encode", clinical_encoder(clinical))],
        )
    raise PancanError(f"unknown representation {name!r}; known: {', '.join((*MUTATION_REPRESENTATIONS, CLINICAL))}")


def clinical_covariates(table: pd.DataFrame, wanted: list[str]) -> pd.DataFrame:
    """The wanted covariates present with at least one value (patient_id becomes the index)."""
    table = table.set_index("patient_id") if "patient_id" in table.columns else table
    present = [c for c in wanted if c in table.columns and table[c].notna().any()]
    return table[present]


def take_rows(matrix, rows: np.ndarray):
    """Row subset of a sparse matrix, array or DataFrame."""
    if isinstance(matrix, pd.DataFrame):
        return matrix.iloc[rows]
    if isinstance(matrix, RankedProfiles):
        return matrix[rows]
    if sp.issparse(matrix):
        return matrix[rows]
    return np.asarray(matrix)[rows]
