"""Network-based stratification (NBS; Hofree et al. 2013): unsupervised mutation subtypes on a gene network.

Influence graph -> per-subsample sampling, propagation, quantile normalisation and
(network-regularised) NMF, as pyNBS (`sampling`; or pancan's earlier once-per-cohort
scheme, `consensus.cluster_runs`) -> consensus matrix -> average-linkage subtypes, k
chosen by PAC / cophenetic correlation; then survival and network-module signatures of
the subtypes, and the planted-module simulation.

Names are imported on first use (`pancan.lazy_exports`). The network-regularised NMF is
`pancan.stratification.network_nmf.network_nmf`: its module has the same name.
"""

from pancan.lazy_exports import lazy_exports

_EXPORTS = {
    "cluster_runs": "pancan.stratification.consensus",
    "consensus_linkage": "pancan.stratification.consensus",
    "consensus_matrix": "pancan.stratification.consensus",
    "consensus_subtypes": "pancan.stratification.consensus",
    "draw_subsample": "pancan.stratification.consensus",
    "leaf_order": "pancan.stratification.consensus",
    "influence_knn_graph": "pancan.stratification.influence",
    "choose_k": "pancan.stratification.model_selection",
    "cophenetic_correlation": "pancan.stratification.model_selection",
    "proportion_ambiguous": "pancan.stratification.model_selection",
    "Factorization": "pancan.stratification.network_nmf",
    "factorize": "pancan.stratification.network_nmf",
    "plain_nmf": "pancan.stratification.network_nmf",
    "nnls_gram": "pancan.stratification.nnls",
    "Profiles": "pancan.stratification.profiles",
    "build_profiles": "pancan.stratification.profiles",
    "quantile_normalise": "pancan.stratification.profiles",
    "SCHEMES": "pancan.stratification.sampling",
    "Propagation": "pancan.stratification.sampling",
    "cluster_runs_pynbs": "pancan.stratification.sampling",
    "draw_pynbs_subsample": "pancan.stratification.sampling",
    "rank_sum_by_subtype": "pancan.stratification.signatures",
    "signatures_and_modules": "pancan.stratification.signatures",
    "simulate_recovery": "pancan.stratification.simulation",
    "cox_subtypes": "pancan.stratification.subtype_survival",
    "logrank_by_k": "pancan.stratification.subtype_survival",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
