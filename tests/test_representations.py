"""Representations: hand examples, properties, equivalence with the slow references, sklearn API."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from real_data import aligned_cohort, pathway_commons_adjacency
from reference_representations import (
    reference_netnorm,
    reference_netnorm_original,
    reference_quantile_normalize,
    reference_smoothing,
)
from scipy.stats import rankdata
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline

from pancan.errors import InvalidParameterError
from pancan.networks import GeneNetwork, permute_gene_labels, rewire_edges
from pancan.representations import (
    NSQN,
    MutationCount,
    NetNorM,
    NetworkAdjacency,
    NetworkSmoothing,
    QuantileNormalizer,
    RawMutations,
    RawNetworkMutations,
    netnorm_profiles,
    netnorm_ranks,
    nsqn,
    register_precomputed,
    smooth,
)
from pancan.representations.row_cache import RowCache, row_fingerprints


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
def test_netnorm_hand_examples_degree_ties(mutated, k, expected):
    profile = NetNorM(SMALL, k=k, tie_break="degree").fit_transform(rows_of(mutated))
    assert chosen(profile[0]) == expected
    assert np.isfinite(profile.toarray()).all()


@pytest.mark.parametrize(
    "mutated, k, expected",
    [
        ({1, 3, 4}, 2, {3, 4}),  # keeps highest degree; 1 and 4 tie on degree 1 -> the later gene (4)
        ({4}, 3, {4, 3, 2}),  # proxy 3 has a mutated neighbour; then 0, 1, 2 tie at 0 -> the latest (2)
        (set(), 2, {3, 4}),  # no mutation: every gene ties at 0 -> the last two, no NaN
        ({1, 2}, 3, {1, 2, 0}),  # 0 has two mutated neighbours
        ({0}, 2, {0, 3}),  # neighbours 1, 2, 3 tie on one mutated neighbour -> the latest (3), not by degree
        ({0}, 3, {0, 3, 2}),
    ],
)
def test_netnorm_hand_examples_original_ties(mutated, k, expected):
    profile = NetNorM(SMALL, k=k).fit_transform(rows_of(mutated))
    assert chosen(profile[0]) == expected


def test_netnorm_parameter_errors():
    with pytest.raises(InvalidParameterError, match="k=6 is larger than the number of network genes \\(5\\)"):
        NetNorM(SMALL, k=6).fit(rows_of({1}))
    with pytest.raises(InvalidParameterError, match="the network is empty"):
        NetNorM(sp.csr_matrix((5, 5)), k=2).fit(rows_of({1}))
    with pytest.raises(InvalidParameterError, match="tie_break must be one of"):
        NetNorM(SMALL, k=2, tie_break="alphabetical").fit(rows_of({1}))
    with pytest.raises(ValueError, match="Found array with 3 feature\\(s\\).*align the mutation matrix"):
        NetNorM(SMALL, k=2).fit(sp.csr_matrix(np.ones((2, 3))))


@st.composite
def graph_and_mutations(draw):
    n_genes = draw(st.integers(3, 25))
    pairs = [(i, j) for i in range(n_genes) for j in range(i + 1, n_genes)]
    edges = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=60, unique=True))
    n_patients = draw(st.integers(1, 6))
    X = np.array(
        draw(
            st.lists(
                st.lists(st.booleans(), min_size=n_genes, max_size=n_genes), min_size=n_patients, max_size=n_patients
            )
        ),
        dtype=float,
    )
    extra = draw(st.integers(0, 3))  # genes outside the network, appended
    X = np.hstack([X, np.ones((n_patients, extra))])
    return adjacency_of(n_genes, edges), sp.csr_matrix(X), n_genes


@settings(max_examples=150, deadline=None)
@given(graph_and_mutations(), st.data())
def test_netnorm_equals_reference(case, data):
    adjacency, X, n_genes = case
    k = data.draw(st.integers(1, n_genes))
    profiles = NetNorM(adjacency, k=k, tie_break="degree").fit_transform(X).toarray()
    assert np.array_equal(profiles, reference_netnorm(X, adjacency, k))
    original = NetNorM(adjacency, k=k).fit_transform(X).toarray()
    assert np.array_equal(original, reference_netnorm_original(X, adjacency, k))
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
    tie_break = data.draw(st.sampled_from(["original", "degree"]))
    ranks = netnorm_ranks(X, adjacency, n_genes, tie_break)
    for k in sorted(data.draw(st.sets(st.integers(1, n_genes), min_size=1, max_size=4))):
        direct = NetNorM(adjacency, k=k, tie_break=tie_break).fit_transform(X)
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
    with pytest.raises(InvalidParameterError, match="alpha must be in"):
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


def test_quantile_equals_reference_on_wide_tied_rows_across_chunks():
    # rows long enough for the unstable sort to reorder ties (short ones are insertion-sorted,
    # which keeps their order) and more rows than one mapping chunk
    rng = np.random.default_rng(7)
    train = rng.integers(0, 6, (40, 300)).astype(float)
    test = rng.integers(0, 6, (70, 300)).astype(float)
    fast = QuantileNormalizer().fit(train).transform(test)
    np.testing.assert_allclose(fast, reference_quantile_normalize(train, test), rtol=0, atol=1e-12)


def test_nsqn_equals_smoothing_then_quantile_normalisation_and_fits_on_training_rows():
    X = rows_of({1}, {3, 4}, {0}, {2}, set(), {0, 4})
    fitted = nsqn(SMALL, alpha=0.5).fit(X[:3])
    expected_reference = np.sort(reference_smoothing(X[:3], SMALL, 0.5), axis=1).mean(axis=0)
    np.testing.assert_allclose(fitted.reference_, expected_reference, atol=1e-5)
    pipeline = Pipeline([("smoothing", NetworkSmoothing(SMALL, 0.5)), ("quantile", QuantileNormalizer())]).fit(X[:3])
    np.testing.assert_allclose(fitted.transform(X[3:]), pipeline.transform(X[3:]), atol=1e-7)
    assert fitted.transform(X[3:]).dtype == np.float32


def test_controls_and_raw_representations():
    X = sp.csr_matrix(np.array([[1, 0, 1, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0, 1]], dtype=float))
    assert RawMutations().fit_transform(X).shape == (2, 7)
    assert RawNetworkMutations(n_network_genes=5).fit_transform(X).shape == (2, 5)
    np.testing.assert_array_equal(MutationCount().fit_transform(X).ravel(), [4, 1])
    np.testing.assert_array_equal(MutationCount(n_network_genes=5).fit_transform(X).ravel(), [2, 0])
    np.testing.assert_allclose(MutationCount(log=True).fit_transform(X).ravel(), np.log1p([4, 1]))


def test_unnamed_columns_get_scikit_learns_names_which_no_caller_can_alter():
    """Fitted without names, the transformers name their columns x0, x1, ... (the same array each time, read-only)."""
    X = sp.csr_matrix(np.array([[1, 0, 1, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0, 1]], dtype=float))
    adjacency = NetworkAdjacency(sp.csr_matrix(np.eye(5, k=1) + np.eye(5, k=-1)))
    raw = RawMutations().fit(X)
    assert raw.get_feature_names_out().tolist() == ["x0", "x1", "x2", "x3", "x4", "x5", "x6"]
    network_names = NetNorM(adjacency, k=2).fit(X).get_feature_names_out()
    assert network_names.tolist() == ["x0", "x1", "x2", "x3", "x4"]  # the network's genes, the first 5 columns
    with pytest.raises(ValueError, match="read-only"):
        network_names[0] = "changed"
    assert RawMutations().fit(X).get_feature_names_out() is raw.get_feature_names_out()  # built once per width
    named = np.array([f"g{i}" for i in range(7)], dtype=object)
    assert raw.get_feature_names_out(named).tolist() == named.tolist()


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
    assert nx.is_isomorphic(
        nx.from_scipy_sparse_array(permuted.adjacency), nx.from_scipy_sparse_array(network.adjacency)
    )
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


def test_sklearn_api_grid_search_ranks_each_patient_once():
    network = random_network(120, 0.05)
    rng = np.random.default_rng(0)
    X = sp.csr_matrix((rng.random((60, len(network.genes))) < 0.05).astype(float))
    y = np.asarray(X[:, :10].sum(axis=1)).ravel() + rng.normal(0, 0.1, 60)
    memo = RowCache("test")
    transformer = NetNorM(NetworkAdjacency(network.adjacency), k=5, max_k=30, memo=memo)
    assert clone(transformer).get_params()["k"] == 5 and clone(transformer).adjacency is transformer.adjacency
    assert clone(transformer).memo is memo  # clones share the memo they were given
    assert transformer.set_params(k=7).k == 7
    search = GridSearchCV(
        Pipeline([("netnorm", transformer), ("model", Ridge())]),
        {"netnorm__k": [5, 10, 20, 30], "model__alpha": [0.1, 1.0]},
        cv=KFold(3, shuffle=True, random_state=0),
    ).fit(X, y)
    assert search.best_params_["netnorm__k"] in {5, 10, 20, 30}
    # the per-patient memo: each distinct patient is ranked once, whatever the folds and grid values
    assert memo.computed_rows == len({key for key in row_fingerprints(X).tolist()})
    # without a memo, each fitted transformer keeps its own: nothing is shared, nothing hidden
    alone = NetNorM(NetworkAdjacency(network.adjacency), k=5, max_k=30).fit(X)
    assert alone.memo_ is not memo and alone.memo_.computed_rows == 0
    alone.transform(X[:10])
    assert alone.memo_.computed_rows == 10 and memo.computed_rows == len(set(row_fingerprints(X).tolist()))
    smoothing = Pipeline([("nsqn", nsqn(network.adjacency, 0.5)), ("model", Ridge())])
    GridSearchCV(smoothing, {"nsqn__alpha": [0.3, 0.7]}, cv=3).fit(X, y)


def test_transformers_never_modify_their_inputs_and_run_in_parallel_grid_search():
    """Read-only inputs (as joblib's memory-mapped copies) work, and n_jobs=2 with a real-size network runs."""
    adjacency = pathway_commons_adjacency()
    aligned = aligned_cohort("LUSC")
    X = aligned.X[:60].copy()
    raw_adjacency = sp.csr_matrix(adjacency.matrix, copy=True)
    for array in (X.data, X.indices, X.indptr, raw_adjacency.data, raw_adjacency.indices, raw_adjacency.indptr):
        array.setflags(write=False)
    before = X.copy()
    for transformer in (
        NetNorM(raw_adjacency, k=50),
        NetworkSmoothing(raw_adjacency, 0.5),
        NSQN(raw_adjacency, 0.5),
        RawMutations(),
        RawNetworkMutations(aligned.n_network),
        MutationCount(aligned.n_network),
    ):
        transformer.fit(X).transform(X)
    assert (before != X).nnz == 0
    y = np.asarray(X.sum(axis=1)).ravel()
    GridSearchCV(
        Pipeline([("netnorm", NetNorM(adjacency, max_k=100)), ("model", Ridge())]),
        {"netnorm__k": [50, 100]},
        cv=2,
        n_jobs=2,
    ).fit(X, y)


def test_patient_results_do_not_depend_on_the_other_rows():
    """The per-patient memo is exact: a patient transformed alone or in a cohort gives the same row."""
    adjacency = pathway_commons_adjacency()
    X = aligned_cohort("LUSC").X
    rows = np.arange(0, X.shape[0], 7)
    whole = smooth(X, adjacency, 0.7, n_jobs=2)
    np.testing.assert_array_equal(smooth(X[rows], adjacency, 0.7), whole[rows])
    np.testing.assert_array_equal(netnorm_ranks(X[rows], adjacency, 200), netnorm_ranks(X, adjacency, 200)[rows])


def test_precomputed_smoothing_is_read_not_recomputed(tmp_path):
    adjacency = pathway_commons_adjacency()
    X = aligned_cohort("LUSC").X[:40]
    smoothed = smooth(X, adjacency, 0.6)
    np.save(tmp_path / "smoothed.npy", smoothed * 2)  # a marked copy: values read from the file show
    memo = RowCache("test")
    register_precomputed(memo, X, tmp_path / "smoothed.npy", adjacency, 0.6)
    out = NetworkSmoothing(adjacency, 0.6, memo=memo).fit(X).transform(X[5:15])
    assert memo.computed_rows == 0
    np.testing.assert_array_equal(out, 2 * smoothed[5:15])
    other = NetworkSmoothing(adjacency, 0.65, memo=memo).fit(X).transform(X[:3])  # another alpha: computed
    assert memo.computed_rows == 3 and not np.allclose(other, 2 * smoothed[:3])
    # the registration belongs to that memo: a transformer without it computes (no process-wide state)
    np.testing.assert_array_equal(NetworkSmoothing(adjacency, 0.6).fit(X).transform(X[5:15]), smoothed[5:15])


@pytest.mark.parametrize("cancer", ["LUSC", "GBM", "KIRC"])
def test_netnorm_original_ties_match_an_independent_reading_of_the_published_rule_on_real_cohorts(cancer):
    """Every patient's k-gene set equals the rule of the NetNorM code, written with float scores and ordinal ranks."""
    adjacency = pathway_commons_adjacency()
    aligned = aligned_cohort(cancer)
    n = aligned.n_network
    A = adjacency.matrix
    degree = np.asarray(A.sum(axis=1)).ravel()
    mutated = aligned.X[:, :n].toarray() > 0
    neighbours = (sp.csr_matrix(mutated.astype(float)) @ A).toarray()
    with np.errstate(invalid="ignore", divide="ignore"):
        proxy = neighbours / neighbours.max(axis=1, keepdims=True)
    proxy = np.nan_to_num(proxy)  # a patient without any mutated network gene: every proxy score 0
    scores = np.where(mutated, 1 + degree / degree.max(), proxy)
    ranks = rankdata(scores, method="ordinal", axis=1)  # equal scores: the later gene ranks higher
    ranking = netnorm_ranks(aligned.X, adjacency, 350)
    for k in (50, 200, 350):
        expected = ranks > n - k
        got = netnorm_profiles(ranking, k, n).toarray() > 0
        assert (expected == got).all(axis=1).all(), f"k={k}: {np.flatnonzero(~(expected == got).all(axis=1))[:5]}"
