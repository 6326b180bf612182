"""Patient representations as scikit-learn transformers on sparse patient x gene matrices.

Inputs are aligned with `align_to_network`: columns are the network's genes (in the
network's order) followed by mutated genes outside the network. Every transformer takes
the network as a `NetworkAdjacency` (validated once), a GeneNetwork or a sparse matrix,
and never modifies its inputs.
"""

from pancan.networks.adjacency import NetworkAdjacency
from pancan.representations.alignment import AlignedMutations, align_to_network
from pancan.representations.netnorm import NetNorM, netnorm_profiles, netnorm_ranks
from pancan.representations.quantile import QuantileNormalizer, rank_profiles
from pancan.representations.raw import MutationCount, RawMutations, RawNetworkMutations
from pancan.representations.smoothing import NSQN, NetworkSmoothing, nsqn, register_precomputed, smooth

__all__ = [
    "NSQN",
    "AlignedMutations",
    "MutationCount",
    "NetNorM",
    "NetworkAdjacency",
    "NetworkSmoothing",
    "QuantileNormalizer",
    "RawMutations",
    "RawNetworkMutations",
    "align_to_network",
    "netnorm_profiles",
    "netnorm_ranks",
    "nsqn",
    "rank_profiles",
    "register_precomputed",
    "smooth",
]
