"""Randomised networks for "does the network matter?" controls: permuted labels and degree-preserving rewiring."""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sp

from pancan.errors import PancanError
from pancan.networks.gene_network import GeneNetwork

logger = logging.getLogger(__name__)


def permute_gene_labels(network: GeneNetwork, seed: int) -> GeneNetwork:
    """Same topology, gene labels shuffled: gene i takes the neighbourhood of gene perm[i]."""
    permutation = np.random.default_rng(seed).permutation(len(network.genes))
    adjacency = network.adjacency[permutation][:, permutation].tocsr()
    adjacency.sort_indices()
    return GeneNetwork(f"{network.name}_permuted", network.genes, adjacency)


def _edge_keys(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b)


def rewire_edges(network: GeneNetwork, seed: int, swaps_per_edge: float = 10.0, max_rounds: int = 1000) -> GeneNetwork:
    """Degree-preserving randomisation by double-edge swaps, done in vectorised rounds.

    Each round pairs the edges at random, (a, b) + (c, d) -> (a, d) + (c, b) or
    (a, c) + (b, d), and accepts a swap only if it creates no self-loop, no edge
    already in the graph and no edge proposed twice in the round, so the graph
    stays simple and every degree is unchanged. Rounds continue until
    `swaps_per_edge` accepted swaps per edge on average.
    """
    rng = np.random.default_rng(seed)
    upper = sp.triu(network.adjacency, k=1).tocoo()
    a, b = upper.row.astype(np.int64), upper.col.astype(np.int64)
    n_edges, n = len(a), len(network.genes)
    if n_edges < 2:
        raise PancanError(f"network {network.name!r} has fewer than 2 edges: nothing to rewire")
    target = int(swaps_per_edge * n_edges)
    accepted_total, rounds = 0, 0
    while accepted_total < target and rounds < max_rounds:
        rounds += 1
        order = rng.permutation(n_edges)
        first, second = order[: n_edges // 2], order[n_edges // 2 : 2 * (n_edges // 2)]
        flip = rng.random(len(first)) < 0.5
        a1, b1, a2, b2 = a[first], b[first], a[second], b[second]
        # (a1, b1) + (a2, b2) -> (a1, b2) + (a2, b1), or with flip -> (a1, a2) + (b1, b2)
        new1_a, new1_b = a1, np.where(flip, a2, b2)
        new2_a, new2_b = np.where(flip, b1, a2), np.where(flip, b2, b1)
        keys1, keys2 = _edge_keys(new1_a, new1_b, n), _edge_keys(new2_a, new2_b, n)
        existing = np.sort(_edge_keys(a, b, n))
        ok = (new1_a != new1_b) & (new2_a != new2_b)
        ok &= ~_contains(existing, keys1) & ~_contains(existing, keys2)
        proposed = np.concatenate([keys1[ok], keys2[ok]])
        unique, counts = np.unique(proposed, return_counts=True)
        duplicated = unique[counts > 1]
        ok[ok] &= ~(_contains(duplicated, keys1[ok]) | _contains(duplicated, keys2[ok]))
        a[first[ok]], b[first[ok]] = new1_a[ok], new1_b[ok]
        a[second[ok]], b[second[ok]] = new2_a[ok], new2_b[ok]
        accepted_total += int(ok.sum())
    if accepted_total < target:
        logger.warning("rewiring stopped after %d rounds with %.1f swaps per edge", rounds, accepted_total / n_edges)
    return GeneNetwork.from_index_pairs(f"{network.name}_rewired", network.genes, a, b)


def _contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    position = np.searchsorted(sorted_keys, keys)
    position = np.minimum(position, len(sorted_keys) - 1)
    return sorted_keys[position] == keys
