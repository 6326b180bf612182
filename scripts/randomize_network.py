"""Rule randomize_network: a permuted-label or degree-preserving rewired copy of a network (seeded)."""

from pathlib import Path

from pancan.networks import permute_gene_labels, rewire_edges
from pancan.networks.gene_network import GeneNetwork
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    network = GeneNetwork.load(Path(sm.input.adjacency).parent, sm.wildcards.network)
    if sm.wildcards.control == "permuted":
        randomized = permute_gene_labels(network, seed=sm.params.seed)
    else:
        randomized = rewire_edges(network, seed=sm.params.seed, swaps_per_edge=sm.params.swaps_per_edge)
    randomized.save(Path(sm.output.adjacency).parent)
    kept = randomized.adjacency.multiply(network.adjacency).nnz / network.adjacency.nnz
    log.info("%s: %d edges, %.1f%% of the original edges kept", randomized.name, randomized.n_edges, 100 * kept)
