"""Representations: hand examples, properties, equivalence with the slow references, sklearn API."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_representations import reference_netnorm, reference_quantile_normalize, reference_smoothing
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline

import pancan.representations.netnorm as netnorm_module
from pancan.errors import PancanError
from pancan.networks import GeneNetwork, permute_gene_labels, rewire_edges
from pancan.representations import (
    MutationCount,
    NetNorM,
    NetworkSmoothing,
    QuantileNormalizer,
    RawMutations,
    RawNetworkMutations,
    ReferenceQuantileMap,
    netnorm_profiles,
    netnorm_ranks,
    nsqn,
    rank_profiles,
    smooth,
)


def adjacency_of(n, edges):
    rows, cols = zip(*edges)
    upper = sp.coo_matrix((np.ones(len(edges)), (rows, cols)), shape=(n, n))
    return sp.csr_matrix(((upper + upper.T) > 0).astype(np.int8))


# genes 0..4; edges 0-1, 0-2, 0-3, 3-4; degrees 3, 1, 1, 2, 1
SMALL = adjacency_of(5, [(0, 1), (0, 2), (0, 3), (3, 4)])


def rows_of(*mutated_sets, n=5):
    X = np.zeros((len(mutated_sets), n))
    for i, genes in enumerate(mutated_sets):
        X[i, list(genes)] = 1
    return sp.csr_matrix(X)


def chosen(profile_row):
    return set(np.flatnonzero(np.asarray(profile_row.todense()).ravel()))


@pytest.mark.parametrize(
    "mutated, k, expected",
    [
        ({1, 3, 4}, 2, {3, 1}),  # keeps highest degree; 1 and 4 tie on degree 1 -> lower index
        ({4}, 3, {4, 3, 0}),  # proxy 3 has a mutated neighbour; then 0 has the highest degree
        (set(), 2, {0, 3}),  # no mutation: highest degree genes, no NaN
        ({1, 2}, 3, {1, 2, 0}),  # 0 has two mutated neighbours
        ({0}, 2, {0, 3}),  # neighbours 1, 2, 3 tie on one mutated neighbour; 3 has the higher degree
        ({0}, 3, {0, 3, 1}),  # then 1 before 2 (index)
        ({0, 1, 2, 3, 4}, 5, {0, 1, 2, 3, 4}),
    ],
)
def test_netnorm_hand_examples(mutated, k, expected):
    profile = NetNorM(SMALL, k=k).fit_transform(rows_of(mutated))
    assert chosen(profile[0]) == expected
    assert np.isfinite(profile.toarray()).all()


def test_netnorm_k_errors():
    with pytest.raises(PancanError, match="k=6 is larger than the number of network genes \\(5\\)"):
        NetNorM(SMALL, k=6).fit(rows_of({1}))
    with pytest.raises(PancanError, match="the network is empty"):
        NetNorM(sp.csr_matrix((5, 5)), k=2).fit(rows_of({1}))
    with pytest.raises(PancanError, match="align it with"):
        NetNorM(SMALL, k=2).fit(sp.csr_matrix(np.ones((2, 3))))


@st.composite
def graph_and_mutations(draw):
    n_genes = draw(st.integers(3, 25))
    pairs = [(i, j) for i in range(n_genes) for j in range(i + 1, n_genes)]
    edges = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=60, unique=True))
    n_patients = draw(st.integers(1, 6))
    X = np.array(draw(st.lists(st.lists(st.booleans(), min_size=n_genes, max_size=n_genes),
                               min_size=n_patients, max_size=n_patients)), dtype=float)
    extra = draw(st.integers(0, 3))  # genes outside the network, appended
    X = np.hstack([X, np.ones((n_patients, extra))])
    return adjacency_of(n_genes, edges), sp.csr_matrix(X), n_genes


@settings(max_examples=150, deadline=None)
@given(graph_and_mutations(), st.data())
def test_netnorm_equals_reference(case, data):
    adjacency, X, n_genes = case
    k = data.draw(st.integers(1, n_genes))
    profiles = NetNorM(adjacency, k=k).fit_transform(X).toarray()
    assert np.array_equal(profiles, reference_netnorm(X, adjacency, k))
    # properties: exactly k ones; >= k mutations keep a subset of their own; fewer keep them all
    assert (profiles.sum(axis=1) == k).all()
    own = X[:, :n_genes].toarray() > 0
    for row, mutated in zip(profiles > 0, own):
        if mutated.sum() >= k:
            assert not (row & ~mutated).any()
        else:
            assert (row[mutated]).all()


@settings(max_examples=60, deadline=None)
@given(graph_and_mutations(), st.data())
def test_every_k_is_a_prefix_of_one_ranking(case, data):
    adjacency, X, n_genes = case
    ranks = netnorm_ranks(X, adjacency, n_genes)
    for k in sorted(data.draw(st.sets(st.integers(1, n_genes), min_size=1, max_size=4))):
        direct = NetNorM(adjacency, k=k).fit_transform(X)
        assert (netnorm_profiles(ranks, k, n_genes) != direct).nnz == 0


@pytest.mark.parametrize("normalization", ["symmetric", "degree"])
def test_smoothing_two_genes(normalization):
    # f0 = a f1 + (1 - a), f1 = a f0  ->  f = [1, a] / (1 + a)
    F = smooth(rows_of({0}, n=2), adjacency_of(2, [(0, 1)]), 0.5, normalization=normalization, dtype=np.float64)
    np.testing.assert_allclose(F, [[2 / 3, 1 / 3]], atol=1e-7)


def test_smoothing_star_degree_normalization():
    # star: centre 0, leaves 1 and 2; leaf 1 mutated; a = 0.5 -> [1/3, 7/12, 1/12]
    F = smooth(rows_of({1}, n=3), adjacency_of(3, [(0, 1), (0, 2)]), 0.5, normalization="degree", dtype=np.float64)
    np.testing.assert_allclose(F, [[1 / 3, 7 / 12, 1 / 12]], atol=1e-7)


def test_smoothing_zero_patient_and_alpha_zero():
    F = smooth(rows_of(set(), {2}), SMALL, 0.7)
    assert np.all(F[0] == 0) and np.isfinite(F).all()
    np.testing.assert_array_equal(smooth(rows_of({2}), SMALL, 0.0), rows_of({2}).toarray())
    with pytest.raises(PancanError, match="alpha must be in"):
        smooth(rows_of({2}), SMALL, 1.0)


@settings(max_examples=80, deadline=None)
@given(graph_and_mutations(), st.sampled_from([0.1, 0.5, 0.7, 0.9]), st.sampled_from(["symmetric", "degree"]))
def test_smoothing_equals_reference_power_iteration(case, alpha, normalization):
    adjacency, X, n_genes = case
    fast = NetworkSmoothing(adjacency, alpha, normalization=normalization, tol=1e-7).fit_transform(X)
    slow = reference_smoothing(X, adjacency, alpha, normalization)
    np.testing.assert_allclose(fast, slow, atol=2e-5 * max(1.0, slow.max()))
    if normalization == "degree":
        # mass preserved for every patient whose mutated genes all have a neighbour
        degree = np.asarray(adjacency.sum(axis=1)).ravel()
        own = X[:, :n_genes].toarray()
        connected = (own[:, degree == 0] == 0).all(axis=1)
        np.testing.assert_allclose(fast.sum(axis=1)[connected], own.sum(axis=1)[connected], rtol=1e-4, atol=1e-5)


def test_quantile_hand_example():
    train = np.array([[1.0, 2, 3], [4, 6, 5]])  # reference [2.5, 3.5, 4.5]
    normalizer = QuantileNormalizer().fit(train)
    np.testing.assert_allclose(normalizer.reference_, [2.5, 3.5, 4.5])
    test = np.array([[10.0, 0, 5], [0, 0, 7], [1, 1, 1]])
    np.testing.assert_allclose(normalizer.transform(test), [[4.5, 2.5, 3.5], [3.0, 3.0, 4.5], [3.5, 3.5, 3.5]])


def test_quantile_reference_uses_training_rows_only():
    rng = np.random.default_rng(0)
    train, test = rng.random((20, 30)), rng.random((7, 30)) * 100
    normalizer = QuantileNormalizer().fit(train)
    mapped = normalizer.transform(test)
    np.testing.assert_allclose(normalizer.reference_, np.sort(train, axis=1).mean(axis=0))
    # each test row is mapped on its own: changing other test rows changes nothing
    np.testing.assert_allclose(normalizer.transform(test[:1]), mapped[:1])
    assert np.isin(np.round(mapped, 12), np.round(normalizer.reference_, 12)).all()
    # the original code re-learned the reference on the test set; that differs
    assert not np.allclose(QuantileNormalizer().fit(test).transform(test), mapped)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 8), st.integers(1, 8), st.integers(2, 15), st.integers(0, 10**6))
def test_quantile_equals_reference(n_train, n_test, n_genes, seed):
    rng = np.random.default_rng(seed)
    train = rng.integers(0, 4, (n_train, n_genes)).astype(float)  # many ties
    test = rng.integers(0, 4, (n_test, n_genes)).astype(float)
    fast = QuantileNormalizer().fit(train).transform(test)
    np.testing.assert_allclose(fast, reference_quantile_normalize(train, test), atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 8), st.integers(1, 8), st.integers(2, 15), st.integers(0, 10**6))
def test_precomputed_ranks_give_the_same_quantile_normalisation(n_train, n_test, n_genes, seed):
    rng = np.random.default_rng(seed)
    train = rng.integers(0, 4, (n_train, n_genes)).astype(float)
    test = rng.integers(0, 4, (n_test, n_genes)).astype(float)
    ranked = rank_profiles(np.vstack([train, test]))
    mapped = ReferenceQuantileMap().fit(ranked[np.arange(n_train)]).transform(ranked[np.arange(n_train, n_train + n_test)])
    np.testing.assert_allclose(mapped, QuantileNormalizer().fit(train).transform(test), atol=1e-12)


def test_nsqn_pipeline_fits_reference_on_training_rows():
    X = rows_of({1}, {3, 4}, {0}, {2}, set())
    pipeline = nsqn(SMALL, alpha=0.5).fit(X[:3])
    expected_reference = np.sort(reference_smoothing(X[:3], SMALL, 0.5), axis=1).mean(axis=0)
    np.testing.assert_allclose(pipeline.named_steps["quantile"].reference_, expected_reference, atol=1e-5)
    assert np.isfinite(pipeline.transform(X[3:])).all()


def test_controls_and_raw_representations():
    X = sp.csr_matrix(np.array([[1, 0, 1, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0, 1]], dtype=float))
    assert RawMutations().fit_transform(X).shape == (2, 7)
    assert RawNetworkMutations(n_network_genes=5).fit_transform(X).shape == (2, 5)
    np.testing.assert_array_equal(MutationCount().fit_transform(X).ravel(), [4, 1])
    np.testing.assert_allclose(MutationCount(log=True).fit_transform(X).ravel(), np.log1p([4, 1]))


def random_network(n=300, p=0.03, seed=1):
    graph = nx.gnp_random_graph(n, p, seed=seed)
    graph.remove_nodes_from([v for v in list(graph) if graph.degree(v) == 0])
    graph = nx.convert_node_labels_to_integers(graph)
    adjacency = sp.csr_matrix(nx.to_scipy_sparse_array(graph, dtype=np.int8))
    return GeneNetwork("random", np.array([f"G{i}" for i in range(graph.number_of_nodes())], dtype=object), adjacency)


def test_permuted_labels_keep_topology():
    network = random_network()
    permuted = permute_gene_labels(network, seed=3)
    assert permuted.genes.tolist() == network.genes.tolist()
    assert sorted(permuted.degree()) == sorted(network.degree())
    assert nx.is_isomorphic(nx.from_scipy_sparse_array(permuted.adjacency), nx.from_scipy_sparse_array(network.adjacency))
    assert (permute_gene_labels(network, seed=3).adjacency != permuted.adjacency).nnz == 0
    assert (permute_gene_labels(network, seed=4).adjacency != permuted.adjacency).nnz > 0


def test_rewiring_preserves_degrees_and_randomises_edges():
    network = random_network()
    rewired = rewire_edges(network, seed=5, swaps_per_edge=5)
    np.testing.assert_array_equal(rewired.degree(), network.degree())
    graph = nx.from_scipy_sparse_array(rewired.adjacency)
    assert nx.number_of_selfloops(graph) == 0 and set(np.unique(rewired.adjacency.data)) == {1}
    kept = rewired.adjacency.multiply(network.adjacency).nnz / network.adjacency.nnz
    assert kept < 0.2
    assert (rewire_edges(network, seed=5, swaps_per_edge=5).adjacency != rewired.adjacency).nnz == 0


def test_sklearn_api_clone_pipeline_and_grid_search(monkeypatch):
    network = random_network(120, 0.05)
    rng = np.random.default_rng(0)
    X = sp.csr_matrix((rng.random((60, len(network.genes))) < 0.05).astype(float))
    y = np.asarray(X[:, :10].sum(axis=1)).ravel() + rng.normal(0, 0.1, 60)
    transformer = NetNorM(network.adjacency, k=5, max_k=30)
    assert clone(transformer).get_params()["k"] == 5
    assert transformer.set_params(k=7).k == 7
    calls = []
    original = netnorm_module.netnorm_ranks
    monkeypatch.setattr(netnorm_module, "netnorm_ranks", lambda *a: calls.append(1) or original(*a))
    netnorm_module._RANK_CACHE.clear()
    search = GridSearchCV(
        Pipeline([("netnorm", transformer), ("model", Ridge())]),
        {"netnorm__k": [5, 10, 20, 30], "model__alpha": [0.1, 1.0]},
        cv=KFold(3, shuffle=True, random_state=0),
    )
    search.fit(X, y)
    assert search.best_params_["netnorm__k"] in {5, 10, 20, 30}
    # one ranking per distinct input (3 training folds, 3 test folds, the full refit), not per k
    assert len(calls) <= 7
    smoothing = Pipeline([("nsqn", nsqn(network.adjacency, 0.5)), ("model", Ridge())])
    GridSearchCV(smoothing, {"nsqn__smoothing__alpha": [0.3, 0.7]}, cv=3).fit(X, y)
