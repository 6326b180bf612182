"""Patient representations as scikit-learn transformers on sparse patient x gene matrices.

Inputs are aligned with `align_to_network`: columns are the network's genes (in the
network's order) followed by mutated genes outside the network. Every transformer takes
the network as a `NetworkAdjacency` (validated once), a GeneNetwork or a sparse matrix,
and never modifies its inputs.
"""

from pancan.lazy_exports import lazy_exports

_EXPORTS = {
    "NetworkAdjacency": "pancan.networks.adjacency",
    "AlignedMutations": "pancan.representations.alignment",
    "align_to_network": "pancan.representations.alignment",
    "NetNorM": "pancan.representations.netnorm",
    "netnorm_profiles": "pancan.representations.netnorm",
    "netnorm_ranks": "pancan.representations.netnorm",
    "QuantileNormalizer": "pancan.representations.quantile",
    "rank_profiles": "pancan.representations.quantile",
    "MutationCount": "pancan.representations.raw",
    "RawMutations": "pancan.representations.raw",
    "RawNetworkMutations": "pancan.representations.raw",
    "NSQN": "pancan.representations.smoothing",
    "NetworkSmoothing": "pancan.representations.smoothing",
    "nsqn": "pancan.representations.smoothing",
    "register_precomputed": "pancan.representations.smoothing",
    "smooth": "pancan.representations.smoothing",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
