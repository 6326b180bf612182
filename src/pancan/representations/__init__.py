"""Patient representations as scikit-learn transformers on sparse patient x gene matrices.

Inputs are aligned with `align_to_network`: columns are the network's genes
(in the network's order) followed by mutated genes outside the network.
"""

from pancan.representations.alignment import AlignedMutations, align_to_network
from pancan.representations.netnorm import NetNorM, netnorm_profiles, netnorm_ranks
from pancan.representations.quantile import QuantileNormalizer, RankedProfiles, ReferenceQuantileMap, rank_profiles
from pancan.representations.raw import MutationCount, RawMutations, RawNetworkMutations
from pancan.representations.smoothing import NetworkSmoothing, nsqn, smooth

__all__ = [
    "AlignedMutations",
    "MutationCount",
    "NetNorM",
    "NetworkSmoothing",
    "QuantileNormalizer",
    "RawMutations",
    "RankedProfiles",
    "RawNetworkMutations",
    "ReferenceQuantileMap",
    "align_to_network",
    "netnorm_profiles",
    "netnorm_ranks",
    "nsqn",
    "rank_profiles",
    "smooth",
]
