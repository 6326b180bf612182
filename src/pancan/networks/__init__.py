"""Gene networks: publisher readers, the canonical undirected graph, randomised controls."""

from pancan.networks.controls import permute_gene_labels, rewire_edges
from pancan.networks.gene_network import GeneNetwork

__all__ = ["GeneNetwork", "permute_gene_labels", "rewire_edges"]
