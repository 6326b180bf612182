"""Step by step against pyNBS on its own ovarian-cancer example (vendored in tests/data/pynbs, see its README).

pyNBS (idekerlab/pyNBS 052e2bab, the reference implementation of Hofree et al. 2013) was
run on its OV example; each step of pancan's default stratification is checked against
its output: propagation, quantile normalisation, the kNN influence graph, network NMF
from pyNBS's initial H, and the consensus subtypes.
"""

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.metrics import adjusted_rand_score

from pancan.networks.gene_network import GeneNetwork
from pancan.representations import smooth
from pancan.representations.quantile import quantile_reference
from pancan.stratification import Factorization, Propagation, influence_knn_graph, quantile_normalise
from pancan.stratification.model_selection import consensus_over_k
from pancan.stratification.network_nmf import network_nmf
from pancan.stratification.profiles import map_to_reference
from pancan.stratification.sampling import cluster_runs_pynbs

PYNBS = Path(__file__).parent / "data" / "pynbs"
REFERENCE = np.load(PYNBS / "pynbs_ov_reference.npz")
CONSENSUS = pd.read_csv(PYNBS / "pynbs_ov_consensus_k4.tsv", sep="\t", index_col="patient_id")


@cache
def example():
    """pyNBS's network (pancan's sorted gene order), its patients (sorted, as pyNBS's matrix) and their
    binary mutations, network genes first (pancan's order), then the mutated genes off the network."""
    edges = pd.read_csv(PYNBS / "CancerSubnetwork.txt.gz", sep="\t", header=None, dtype=str)
    network = GeneNetwork.from_edges("cancer_subnetwork", edges[0], edges[1])
    calls = pd.read_csv(PYNBS / "OV_sm_data.txt.gz", sep="\t", header=None, names=["patient", "gene"], dtype=str)
    patients = np.array(sorted(calls["patient"].unique()))
    genes = np.concatenate([network.genes, sorted(set(calls["gene"]) - set(network.genes))])
    rows = pd.Index(patients).get_indexer(calls["patient"])
    columns = pd.Index(genes).get_indexer(calls["gene"])
    mutations = sp.csr_matrix((np.ones(len(calls), np.float32), (rows, columns)), shape=(len(patients), len(genes)))
    mutations.data[:] = 1.0
    return network, patients, mutations


def pynbs_order() -> np.ndarray:
    """Column j of pyNBS's matrices is pancan's network gene pynbs_order()[j]."""
    network, _, _ = example()
    return pd.Index(network.genes).get_indexer(REFERENCE["network_genes"])


def pynbs_knn_edges() -> set:
    order = pynbs_order()
    edges = REFERENCE["knn_edges"].astype(np.int64)
    return {tuple(sorted(pair)) for pair in zip(order[edges[:, 0]].tolist(), order[edges[:, 1]].tolist())}


def edges_of(graph) -> set:
    rows, columns = sp.triu(graph, k=1).nonzero()
    return set(zip(rows.tolist(), columns.tolist()))


def test_the_example_is_pynbs_input():
    network, patients, mutations = example()
    assert len(patients) == 376 and np.array_equal(patients, REFERENCE["patients"])
    assert len(network.genes) == 2291 and set(network.genes) == set(REFERENCE["network_genes"])
    assert network.n_edges == 204_453  # the file's lines: no duplicate, no self-loop
    assert (np.asarray(mutations.sum(axis=0)).ravel() > 0).sum() == 10_216  # pyNBS's matrix: 376 x 10,216
    counts = np.asarray(mutations.sum(axis=1)).ravel()
    # the reference normalised the 362 patients with at least 10 mutated genes; pyNBS's own filter, more than
    # 10 in a subsample, can keep 359 at most
    assert np.array_equal(np.flatnonzero(counts >= 10), REFERENCE["normalised_patients"])
    assert (counts > 10).sum() == 359


def test_propagation_matches_pynbs():
    network, _, mutations = example()
    order = pynbs_order()
    rows = REFERENCE["normalised_patients"][REFERENCE["rows"]]
    expected = REFERENCE["propagated_rows"]
    binary = mutations[:, : len(network.genes)]
    # conjugate gradients (the cohort's smooth_profiles) solved tightly, and the dense kernel (per subsample)
    solved = smooth(binary[rows], network.adjacency, 0.7, normalization="degree", tol=1e-13, dtype=np.float64)
    kernel = Propagation(network.adjacency, 0.7)(binary[rows])
    for propagated in (solved, kernel):
        assert np.abs(propagated[:, order] - expected).max() <= 1e-12 * expected.max()
    # one subsample's binary profiles (its sampled genes only), as pyNBS propagates it
    sub_rows, sub_columns = REFERENCE["subsample_binary"].astype(np.int64).T
    sub = sp.csr_matrix((np.ones(len(sub_rows)), (sub_rows, order[sub_columns])), shape=(286, len(network.genes)))
    expected = REFERENCE["subsample_propagated_rows"]
    assert np.abs(Propagation(network.adjacency, 0.7)(sub[:4])[:, order] - expected).max() <= 1e-12 * expected.max()


def test_quantile_normalisation_with_pynbs_ties_is_pynbs_qnorm():
    """On pyNBS's own propagated rows and reference distribution: equal to the bit with ties="median"."""
    propagated = REFERENCE["propagated_rows"]
    reference = REFERENCE["quantile_reference"]
    expected = reference[REFERENCE["quantile_positions"]]
    assert np.array_equal(map_to_reference(propagated, reference, "median"), expected)
    # rows with tied values: one patient with no mutated network gene (a flat profile) and five more
    tied = np.array([len(row) - len(np.unique(row)) > 0 for row in propagated])
    assert tied.sum() == 6
    mean = map_to_reference(propagated, reference, "mean")
    assert np.array_equal(mean[~tied], expected[~tied])
    assert all(not np.array_equal(a, b) for a, b in zip(mean[tied], expected[tied]))
    flat = np.flatnonzero((propagated == 0).all(axis=1))
    assert len(flat) == 1
    assert mean[flat[0], 0] == pytest.approx(reference.mean()) and expected[flat[0], 0] == reference[1145]


def test_propagation_then_quantile_normalisation_matches_pynbs_up_to_exact_ties():
    """End to end from the binary profiles: pyNBS's reference distribution to 1e-12; each value equal too,
    except for genes whose propagated values are mathematically tied (equal to 1e-9), which pyNBS orders by
    its floating-point noise and pancan ranks as ties."""
    network, _, mutations = example()
    order = pynbs_order()
    rows = REFERENCE["normalised_patients"]
    propagated = Propagation(network.adjacency, 0.7)(mutations[rows][:, : len(network.genes)])[:, order]
    reference = REFERENCE["quantile_reference"]
    assert np.abs(quantile_reference(np.sort(propagated, axis=1)) - reference).max() <= 1e-12 * reference.max()
    ours = quantile_normalise(propagated, "median")[REFERENCE["rows"]]
    expected = reference[REFERENCE["quantile_positions"]]
    pynbs_propagated = REFERENCE["propagated_rows"]
    differ = np.abs(ours - expected) > 1e-12 * reference.max()
    for row in np.flatnonzero(differ.any(axis=1)):
        values = pynbs_propagated[row]
        gaps = np.abs(values[differ[row], None] - values[None, :])
        gaps[np.arange(differ[row].sum()), np.flatnonzero(differ[row])] = np.inf
        assert (gaps.min(axis=1) <= 1e-9 * values.max()).all()
    assert differ.sum() <= 30  # of 27,492 values; measured: 17, 8.5e-6 of the largest value at most


def test_influence_graph_is_pynbs_knn_graph():
    network, _, _ = example()
    expected = pynbs_knn_edges()
    assert len(expected) == 18_731
    assert edges_of(influence_knn_graph(network.adjacency)) == expected
    # pancan's earlier rounding to 5 digits moved 199 edges (all near-ties below 8e-6 of the row maximum)
    rounded = edges_of(influence_knn_graph(network.adjacency, digits=5))
    assert len(rounded ^ expected) == 199


@pytest.mark.parametrize("regularization", [200, 0])
def test_network_nmf_from_pynbs_initial_h(regularization):
    """pyNBS's subsample, propagated and normalised by pancan, factorised from pyNBS's initial H."""
    network, _, _ = example()
    order = pynbs_order()
    sub_rows, sub_columns = REFERENCE["subsample_binary"].astype(np.int64).T
    binary = sp.csr_matrix((np.ones(len(sub_rows)), (sub_rows, order[sub_columns])), shape=(286, len(network.genes)))
    data = quantile_normalise(Propagation(network.adjacency, 0.7)(binary), "median")[:, order]
    knn = influence_knn_graph(network.adjacency)[order][:, order]
    W_expected = REFERENCE[f"nmf_W_lambda{regularization}"]
    H_expected = REFERENCE[f"nmf_H_lambda{regularization}"]
    assert int(REFERENCE["nmf_updates"]) == 250  # pyNBS's netNMF_maxiter: 249 updates
    differences = {}
    for updates in (249, 250):
        ((loadings, W, done),) = network_nmf(
            data,
            [4],
            knn,
            regularization=regularization,
            max_iter=updates,
            tol=0,
            initial_H=[REFERENCE["nmf_H_init"]],
        )
        assert done == updates
        differences[updates] = np.abs(loadings.T - H_expected).max() / H_expected.max()
        if updates == 249:
            assert np.array_equal(loadings.argmax(axis=1), H_expected.argmax(axis=0))  # all 286 labels
            assert np.abs(W - W_expected).max() <= 1e-4 * W_expected.max()
    assert differences[249] <= 1e-4 < differences[250]


def test_consensus_subtypes_agree_with_pynbs_as_pynbs_with_itself():
    """50 subsamples (pancan's default scheme, k = 4) against pyNBS's two runs of 50 subsamples: the agreement
    is within pyNBS's own seed-to-seed agreement (ARI 0.84). Measured over pancan's seeds 1-4:
    """
    network, patients, mutations = example()
    knn = influence_knn_graph(network.adjacency)
    labels = cluster_runs_pynbs(
        mutations,
        range(50),
        [4],
        Factorization(),
        seed=1,
        n_network=len(network.genes),
        adjacency=network.adjacency,
        knn=knn,
    )
    result = consensus_over_k(labels, [4])
    ours = pd.Series(result["subtypes"][0], index=patients[result["clustered"]])
    # pyNBS's per-subsample filter never kept the same 17 patients
    assert list(ours.index) == list(CONSENSUS.index)
    pynbs_itself = adjusted_rand_score(CONSENSUS["seed1_50"], CONSENSUS["seed2_50"])
    assert pynbs_itself == pytest.approx(0.84, abs=0.005)
    ari = [adjusted_rand_score(ours, CONSENSUS[run]) for run in ("seed1_50", "seed2_50")]
    assert np.mean(ari) >= pynbs_itself - 0.05
