"""Network-based stratification (NBS; Hofree et al. 2013): unsupervised mutation subtypes on a gene network.

Influence graph -> per-subsample sampling, propagation, quantile normalisation and
(network-regularised) NMF, as pyNBS (`sampling`; or pancan's earlier once-per-cohort
scheme, `consensus.cluster_runs`) -> consensus matrix -> average-linkage subtypes, k
chosen by PAC / cophenetic correlation; then survival and network-module signatures of
the subtypes, and the planted-module simulation.
"""

from pancan.stratification.consensus import (
    cluster_runs,
    consensus_linkage,
    consensus_matrix,
    consensus_subtypes,
    draw_subsample,
    leaf_order,
)
from pancan.stratification.influence import influence_knn_graph
from pancan.stratification.model_selection import choose_k, cophenetic_correlation, proportion_ambiguous
from pancan.stratification.network_nmf import Factorization, factorize, network_nmf, plain_nmf
from pancan.stratification.nnls import nnls_gram
from pancan.stratification.profiles import Profiles, build_profiles, quantile_normalise
from pancan.stratification.sampling import SCHEMES, Propagation, cluster_runs_pynbs, draw_pynbs_subsample
from pancan.stratification.signatures import rank_sum_by_subtype, signatures_and_modules
from pancan.stratification.simulation import simulate_recovery
from pancan.stratification.subtype_survival import cox_subtypes, logrank_by_k

__all__ = [
    "SCHEMES",
    "Factorization",
    "Profiles",
    "Propagation",
    "build_profiles",
    "choose_k",
    "cluster_runs",
    "cluster_runs_pynbs",
    "consensus_linkage",
    "consensus_matrix",
    "consensus_subtypes",
    "cophenetic_correlation",
    "cox_subtypes",
    "draw_pynbs_subsample",
    "draw_subsample",
    "factorize",
    "influence_knn_graph",
    "leaf_order",
    "logrank_by_k",
    "network_nmf",
    "nnls_gram",
    "plain_nmf",
    "proportion_ambiguous",
    "quantile_normalise",
    "rank_sum_by_subtype",
    "signatures_and_modules",
    "simulate_recovery",
]
