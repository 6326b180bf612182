"""Rule build_influence_graph: the kNN influence graph of a network (sparse, genes in the network's order)."""

from pathlib import Path

import scipy.sparse as sp

from pancan.atomic import atomic_path
from pancan.networks import GeneNetwork
from pancan.stratification import influence_knn_graph
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    network = GeneNetwork.load(Path(sm.input.adjacency).parent, sm.wildcards.network)
    graph = influence_knn_graph(
        network.adjacency, gamma=sm.params.gamma, n_neighbours=sm.params.neighbours, digits=sm.params.digits
    )
    with atomic_path(sm.output[0]) as tmp, open(tmp, "wb") as handle:
        sp.save_npz(handle, graph, compressed=True)
    log.info("%s: influence graph with %d edges over %d genes", network.name, graph.nnz // 2, graph.shape[0])
