"""Network-based stratification: consensus, model selection, network NMF, influence graph, survival,
signatures, planted-module recovery, and the workflow stage on real snapshot data."""

import os
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from helpers import REPO
from real_data import pathway_commons, snapshot_cohort
from scipy.optimize import nnls
from scipy.sparse.csgraph import connected_components

from pancan.errors import PancanError
from pancan.representations import align_to_network
from pancan.stratification import (
    Factorization,
    build_profiles,
    choose_k,
    cluster_runs,
    cluster_runs_pynbs,
    consensus_linkage,
    consensus_matrix,
    consensus_subtypes,
    cophenetic_correlation,
    cox_subtypes,
    draw_pynbs_subsample,
    influence,
    influence_knn_graph,
    nnls_gram,
    proportion_ambiguous,
    rank_sum_by_subtype,
    signatures_and_modules,
    simulate_recovery,
)
from pancan.stratification.checks import check_ranks, few_subsamples
from pancan.stratification.model_selection import consensus_over_k, eligible_partitions, minimum_subtype_size
from pancan.stratification.network_nmf import network_nmf
from pancan.stratification.subtype_survival import stage_group


def test_consensus_matrix_counts_only_co_sampled_pairs():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, size=(30, 25))
    labels[rng.random(labels.shape) < 0.25] = -1
    labels[:, 24] = -1  # a patient never sampled
    consensus, co_sampled = consensus_matrix(labels)
    n = labels.shape[1]
    for i in range(n):
        for j in range(n):
            both = (labels[:, i] >= 0) & (labels[:, j] >= 0)
            same = both & (labels[:, i] == labels[:, j])
            assert co_sampled[i, j] == both.sum()
            assert consensus[i, j] == pytest.approx(same.sum() / both.sum() if both.sum() else 0.0)
    assert np.array_equal(consensus, consensus.T)
    assert np.all(np.diag(consensus)[:24] == 1.0) and consensus[24, 24] == 0.0
    assert consensus.min() >= 0 and consensus.max() <= 1


def test_pac_and_cophenetic_on_a_hand_example():
    consensus = np.array([[1, 0.9, 0.2, 0.1], [0.9, 1, 0.3, 0.2], [0.2, 0.3, 1, 0.8], [0.1, 0.2, 0.8, 1]])
    # pairs 01 02 03 12 13 23 = .9 .2 .1 .3 .2 .8: inside (0.1, 0.9) strictly: .2 .3 .2 .8
    assert proportion_ambiguous(consensus) == pytest.approx(4 / 6)
    # average linkage of 1 - consensus: {0,1} at .1, {2,3} at .2, then at mean(.8, .9, .7, .8) = .8
    distances = [0.1, 0.8, 0.9, 0.7, 0.8, 0.2]
    cophenetic = [0.1, 0.8, 0.8, 0.8, 0.8, 0.2]
    expected = np.corrcoef(distances, cophenetic)[0, 1]
    assert cophenetic_correlation(consensus, consensus_linkage(consensus)) == pytest.approx(expected)
    assert expected == pytest.approx(0.98285, abs=1e-5)
    assert consensus_subtypes(consensus_linkage(consensus), 2).tolist() == [1, 1, 2, 2]


def test_subtypes_are_labelled_by_size_and_k_chosen_by_pac():
    block = np.zeros((9, 9))
    for members in ([0, 1], [2, 3, 4, 5], [6, 7, 8]):
        block[np.ix_(members, members)] = 1.0
    assert consensus_subtypes(consensus_linkage(block), 3).tolist() == [3, 3, 1, 1, 1, 1, 2, 2, 2]
    table = pd.DataFrame({"k": [2, 3, 4], "pac": [0.3, 0.1, 0.1]})
    assert choose_k(table) == 3 and choose_k(table, fixed=4) == 4


def test_k_is_chosen_among_partitions_whose_smallest_subtype_is_large_enough():
    """One big cluster plus one stray patient: a perfect consensus (PAC 0) that is not subtypes."""
    members = [list(range(0, 30)), list(range(30, 59)), [59]]  # 30 + 29 + 1 patients, each run the same
    runs = np.zeros((5, 60), dtype=int)
    for label, group in enumerate(members):
        runs[:, group] = label
    runs[::2, 30:59] = 0  # k = 2: the two big groups merge in 3 of 5 runs (ambiguous pairs), the stray stays apart
    three = runs.copy()
    three[1::2, 30:59] = 1  # k = 3: every run the three groups: PAC 0
    result = consensus_over_k(np.stack([runs, three]), [2, 3])
    table = result["table"]
    sizes = [np.bincount(s)[1:] for s in result["subtypes"]]
    assert table["smallest_subtype"].tolist() == [min(size) for size in sizes] == [1, 1]
    # a plainly written rule: lowest PAC among the k whose smallest subtype has >= min_size patients
    table = pd.DataFrame({"k": [2, 3, 4], "pac": [0.2, 0.0, 0.1], "smallest_subtype": [20, 1, 12]})
    assert choose_k(table) == 3  # lowest PAC, one patient alone
    assert choose_k(table, min_size=10) == 4
    assert choose_k(table, min_size=30) == 3  # none qualifies: lowest PAC among all
    assert choose_k(table, fixed=2, min_size=10) == 2
    assert minimum_subtype_size(10, 500) == 10 and minimum_subtype_size(0.05, 431) == 22
    # three crisp groups asked for 4: the tree gives 3 clusters, so k = 4 is not a partition into 4 subtypes
    crisp = np.repeat(np.arange(3), 10)[None, :].repeat(5, axis=0)
    table = consensus_over_k(np.stack([crisp, crisp]), [3, 4])["table"]
    assert table["n_subtypes"].tolist() == [3, 3] and table["smallest_subtype"].tolist() == [10, 10]
    assert eligible_partitions(table, 5).tolist() == [True, False] and choose_k(table, min_size=5) == 3


def test_nnls_gram_matches_scipy_nnls():
    rng = np.random.default_rng(1)
    for k in (1, 2, 5, 9):
        W = rng.random((80, k))
        X = rng.random((80, 40)) - 0.4
        expected = np.array([nnls(W, X[:, j])[0] for j in range(40)]).T
        np.testing.assert_allclose(nnls_gram(W.T @ W, W.T @ X), expected, atol=1e-10)


def reference_network_nmf(D, laplacian, k, lam, iterations, seed):
    """pyNBS's mixed_netNMF written plainly: dense Laplacian, scipy nnls per patient, float64."""
    eps = 1e-15
    H = np.maximum(np.random.default_rng(seed).random((k, D.shape[1])), eps)
    W = np.linalg.lstsq(H.T, D.T, rcond=None)[0].T
    W = np.maximum(W / W.sum(axis=0), eps)
    degree = np.diag(np.diag(laplacian))
    adjacency = degree - laplacian
    for _ in range(iterations):
        W = W * ((D @ H.T + lam * adjacency @ W + eps) / (W @ (H @ H.T) + lam * degree @ W + eps))
        W = np.maximum(W, eps)
        W = W / np.maximum(W.sum(axis=0), eps)
        H = np.maximum(np.array([nnls(W, D[:, j])[0] for j in range(D.shape[1])]).T, eps)
    return W, H


@pytest.fixture(scope="module")
def small_problem():
    rng = np.random.default_rng(2)
    X = rng.random((30, 40)) ** 3  # patients x genes
    knn = sp.random(40, 40, density=0.1, random_state=3)
    knn = ((knn + knn.T) > 0).astype(float)
    knn.setdiag(0)
    knn.eliminate_zeros()
    return X, sp.csr_matrix(knn)


def test_network_nmf_follows_pynbs_updates(small_problem):
    X, knn = small_problem
    laplacian = np.diag(np.asarray(knn.sum(axis=1)).ravel()) - knn.toarray()
    ((loadings, W, iterations),) = network_nmf(X, [3], knn, regularization=2.0, max_iter=5, tol=0.0, seeds=[7])
    W_ref, H_ref = reference_network_nmf(X.T, laplacian, 3, 2.0, 5, 7)
    assert iterations == 5
    np.testing.assert_allclose(W, W_ref, rtol=2e-3, atol=1e-7)
    np.testing.assert_allclose(loadings.T, H_ref, rtol=2e-3, atol=1e-5)


def test_ranks_fitted_together_equal_ranks_fitted_alone(small_problem):
    X, knn = small_problem
    together = network_nmf(X, [2, 4], knn, max_iter=20, tol=1e-6, seeds=[5, 6])
    alone = network_nmf(X, [4], knn, max_iter=20, tol=1e-6, seeds=[6])
    # equal up to float32 summation order (stacked matrix products add in another order)
    np.testing.assert_allclose(together[1][0], alone[0][0], rtol=1e-3, atol=1e-4)
    assert np.array_equal(together[1][0].argmax(axis=1), alone[0][0].argmax(axis=1))
    assert together[1][2] == alone[0][2]


def test_lambdas_fitted_together_equal_lambdas_fitted_alone(small_problem):
    """One lambda per rank (the simulation fits lambda 200 and 0 from the same start in one stacked fit)."""
    X, knn = small_problem
    together = network_nmf(X, [3, 3], knn, regularization=[2.0, 0.0], max_iter=20, seeds=[5, 5])
    regularised = network_nmf(X, [3], knn, regularization=2.0, max_iter=20, seeds=[5])
    plain = network_nmf(X, [3], None, max_iter=20, seeds=[5])
    for (fit, _, _), ((alone, _, _),) in zip(together, (regularised, plain)):
        np.testing.assert_allclose(fit, alone, rtol=1e-3, atol=1e-4)
    assert not np.allclose(regularised[0][0], plain[0][0], rtol=1e-2)


@pytest.fixture(scope="module")
def subnetwork():
    """TP53's neighbourhood in Pathway Commons (300 genes, hubs included) plus a separate 5-gene path."""
    network = pathway_commons()
    start = int(np.flatnonzero(network.genes == "TP53")[0])
    members = np.union1d([start], network.adjacency[start].indices)[:300]
    block = network.adjacency[members][:, members]
    path = sp.diags([np.ones(4), np.ones(4)], [1, -1], shape=(5, 5))
    return sp.block_diag([block, path]).tocsr()


def dense_knn(adjacency, digits: int) -> np.ndarray:
    """The kNN graph written plainly: dense float64 inverse per component, sorted by (rounded value, index)."""
    _, component = connected_components(adjacency, directed=False)
    expected = np.zeros(adjacency.shape, dtype=bool)
    for c in np.unique(component):
        idx = np.flatnonzero(component == c)
        sub = adjacency[idx][:, idx].toarray()
        influence = np.linalg.inv(np.diag(sub.sum(axis=1)) - sub + 0.01 * np.eye(len(idx)))
        for row, gene in enumerate(idx):
            values = np.round(influence[row] / np.abs(influence[row]).max(), digits)
            top = sorted(range(len(idx)), key=lambda j: (-values[j], j))[:11]
            expected[gene, idx[top]] = True
    np.fill_diagonal(expected, False)
    return expected | expected.T


@pytest.mark.parametrize("digits", [5, 12])
def test_influence_graph_matches_a_dense_float64_reference(subnetwork, digits):
    graph = influence_knn_graph(subnetwork, gamma=0.01, n_neighbours=11, digits=digits)
    assert (graph.toarray() > 0).tolist() == dense_knn(subnetwork, digits).tolist()
    assert graph[300:, :300].nnz == 0  # no link across components


def test_influence_graph_in_float32_refines_undecided_rows(subnetwork, monkeypatch, caplog):
    """A component above FLOAT64_GENES is inverted in float32; rows whose top 11 float32 cannot decide
    (exact ties included) are refined to float64: the graph is the float64 one."""
    float64 = influence_knn_graph(subnetwork, digits=12)
    monkeypatch.setattr(influence, "FLOAT64_GENES", 100)
    with caplog.at_level("INFO", logger="pancan.stratification.influence"):
        float32 = influence_knn_graph(subnetwork, digits=12)
    assert (float32 != float64).nnz == 0
    refined = [r for r in caplog.records if "refined to float64" in r.getMessage()]
    assert len(refined) == 1 and not refined[0].getMessage().startswith("influence graph: 0 of")


@pytest.fixture(scope="module")
def ov_profiles():
    return build_profiles("raw", snapshot_cohort("OV"), None, min_mutations=10)


def test_cluster_runs_are_seeded_and_independent_of_batching(ov_profiles):
    X = ov_profiles.X[:120]
    factorization = Factorization("nmf", max_iter=40, tol=1e-4)
    whole = cluster_runs(X, [0, 1, 2, 3], [2, 3], factorization, seed=11)
    split = np.concatenate(
        [
            cluster_runs(X, [0, 1], [2, 3], factorization, seed=11),
            cluster_runs(X, [2, 3], [2, 3], factorization, seed=11),
        ],
        axis=1,
    )
    assert np.array_equal(whole, split)
    assert not np.array_equal(whole, cluster_runs(X, [0, 1, 2, 3], [2, 3], factorization, seed=12))
    assert ((whole >= 0).sum(axis=2) == 96).all()  # 80% of 120 patients per run


def test_ranks_a_subsample_cannot_support_are_refused_before_they_look_perfect(ov_profiles):
    """k at the subsample's patients: every patient its own cluster, no pair ever together, PAC 0 ("perfect")."""
    X = ov_profiles.X[:12]
    labels = cluster_runs(X, range(4), [6], Factorization("nmf", max_iter=40, tol=1e-4), seed=3, patient_fraction=0.5)
    result = consensus_over_k(labels, [6])
    assert result["table"]["pac"].iloc[0] == 0.0  # the degenerate result the check prevents
    with pytest.raises(
        PancanError, match=r"OV raw: stratification.ks \[2, 6\] has k = 6, too large .* about 6 patients"
    ):
        check_ranks("OV raw", 12, X.shape[1], [2, 6], 0.5, 0.8)
    check_ranks("OV raw", 12, X.shape[1], [2, 5], 0.5, 0.8)
    with pytest.raises(PancanError, match=r"k = 4, too large .* and 3 features"):
        check_ranks("OV raw", 100, 4, [2, 4], 0.8, 0.8)  # an NMF of rank above its columns
    assert few_subsamples(9) and "fewer than 10 subsamples" in few_subsamples(1)
    assert few_subsamples(10) is None


def test_pynbs_subsamples_draw_patients_and_mutated_genes_then_filter():
    """pyNBS's subsample_sm_mat: round(0.8 n) patients and round(0.8 g) of the mutated genes; kept: the sampled
    patients with more than min_mutations sampled mutated genes; seeded by (seed, run) whatever the batching."""
    cohort = snapshot_cohort("GBM")
    X = cohort.mutations.tocsr().astype(np.float32)
    mutated = np.flatnonzero(np.asarray(X.sum(axis=0)).ravel() > 0)
    sample = draw_pynbs_subsample(X, 3, seed=11)
    assert len(sample.features) == round(0.8 * len(mutated)) and np.isin(sample.features, mutated).all()
    counts = np.asarray(X[:, sample.features].sum(axis=1)).ravel()
    assert (counts[sample.patients] > 10).all()
    # the patients sampled but dropped are among the 80% drawn: together at most round(0.8 n)
    assert len(sample.patients) < round(0.8 * X.shape[0]) and (counts > 10).sum() > len(sample.patients)
    again = draw_pynbs_subsample(X, 3, seed=11)
    assert np.array_equal(again.patients, sample.patients) and np.array_equal(again.features, sample.features)
    factorization = Factorization("nmf", max_iter=30, tol=1e-4)
    whole = cluster_runs_pynbs(X, [0, 1, 2], [2, 3], factorization, seed=11)
    split = np.concatenate(
        [
            cluster_runs_pynbs(X, [0], [2, 3], factorization, seed=11),
            cluster_runs_pynbs(X, [1, 2], [2, 3], factorization, seed=11),
        ],
        axis=1,
    )
    assert np.array_equal(whole, split)
    for position, run in enumerate([0, 1, 2]):
        kept = draw_pynbs_subsample(X, run, seed=11).patients
        assert np.array_equal(np.flatnonzero(whole[0, position] >= 0), kept)


def test_clustering_never_reads_survival():
    """Leakage-free by design: permuting survival leaves profiles and subtypes unchanged."""
    cohort = snapshot_cohort("GBM")
    shuffled = type(cohort)(cohort.cancer, cohort.patients.copy(), cohort.genes, cohort.mutations, cohort.clinical)
    order = np.random.default_rng(0).permutation(len(cohort.patients))
    shuffled.patients[["time_days", "event"]] = cohort.patients[["time_days", "event"]].to_numpy()[order]
    factorization = Factorization("nmf", max_iter=30, tol=1e-4)
    labels = [
        cluster_runs(build_profiles("raw", c, None).X, [0, 1], [3], factorization, seed=3) for c in (cohort, shuffled)
    ]
    assert np.array_equal(*labels)


@pytest.fixture(scope="module")
def planted_setting():
    """OV profiles on the real network restricted to its 1,500 most mutated genes (median 15 mutated genes)."""
    network = pathway_commons()
    aligned = align_to_network(snapshot_cohort("OV"), network)
    frequency = np.asarray(aligned.X[:, : aligned.n_network].sum(axis=0)).ravel()
    genes = np.sort(np.argsort(-frequency, kind="stable")[:1500])
    adjacency = network.adjacency[genes][:, genes]
    return aligned.X[:, genes], adjacency, influence_knn_graph(adjacency)


def test_planted_modules_are_recovered_and_a_null_is_not(planted_setting):
    """4 subtypes, modules of 20 genes, 30% of mutations planted, 6 pyNBS subsamples (more than 5 sampled mutated
    genes) of 60 updates: measured NBS ARI 0.97-0.99 over seeds 0-2 (raw 0.99-1.00), so 0.5 leaves a wide margin;
    with nothing planted, |ARI| <= 0.002 was measured."""
    X, adjacency, knn = planted_setting
    table = simulate_recovery(
        X,
        X.shape[1],
        adjacency,
        knn,
        fractions=[0.0, 0.3],
        module_size=20,
        seed=0,
        runs=6,
        max_iter=60,
        raw_universes=("all",),
        min_mutations=5,
    )
    # clustered: kept by at least one subsample, so at most the 411 patients with more than 5 mutated genes
    assert (np.asarray(X.sum(axis=1)).ravel() > 5).sum() == 411 and table["patients"].between(400, 411).all()
    ari = table.set_index(["method", "fraction"])["ari"]
    assert ari[("nbs", 0.3)] > 0.5 and ari[("raw", 0.3)] > 0.5
    assert abs(ari[("nbs", 0.0)]) < 0.05 and abs(ari[("raw", 0.0)]) < 0.05


def partial_loglik(beta, X, time, event):
    """Breslow log partial likelihood, one term per death, written plainly."""
    eta = X @ beta
    return sum(eta[i] - np.log(np.exp(eta[time >= time[i]]).sum()) for i in np.flatnonzero(event))


def test_cox_confidence_intervals_match_the_numerical_information():
    cohort = snapshot_cohort("KIRC")
    rng = np.random.default_rng(4)
    subtypes = pd.Series(rng.integers(1, 4, len(cohort.patients)), index=cohort.patients["patient_id"])
    terms, summary = cox_subtypes(
        subtypes, cohort.patients, cohort.clinical, ["age_at_diagnosis_years"], ["pathologic_stage"]
    )
    assert list(terms["term"])[-2:] == ["age_at_diagnosis_years (per 10 years)", "stage group (pathologic_stage)"]
    table = cohort.patients.set_index("patient_id").join(cohort.clinical.set_index("patient_id"))
    reference = subtypes.value_counts().idxmax()
    columns = [(subtypes == s).astype(float).to_numpy() for s in sorted(subtypes.unique()) if s != reference]
    design = np.column_stack(
        [*columns, table["age_at_diagnosis_years"].to_numpy() / 10, stage_group(table["pathologic_stage"]).to_numpy()]
    )
    keep = ~np.isnan(design).any(axis=1)
    design, time, event = design[keep], table["time_days"].to_numpy()[keep], table["event"].to_numpy()[keep] == 1
    beta = terms["coefficient"].to_numpy()
    step, p = 1e-4, len(beta)
    hessian = np.zeros((p, p))
    for a in range(p):
        for b in range(p):
            ea, eb = np.eye(p)[a] * step, np.eye(p)[b] * step
            hessian[a, b] = (
                partial_loglik(beta + ea + eb, design, time, event)
                - partial_loglik(beta + ea - eb, design, time, event)
                - partial_loglik(beta - ea + eb, design, time, event)
                + partial_loglik(beta - ea - eb, design, time, event)
            ) / (4 * step * step)
    se = np.sqrt(np.diag(np.linalg.inv(-hessian)))
    np.testing.assert_allclose(np.log(terms["ci_upper"]), beta + 1.959964 * se, rtol=1e-3)
    assert summary["patients"] == keep.sum() and summary["subtype_lr_df"] == 2 and summary["left_out"] == 0
    # stage is strongly prognostic in KIRC; random subtypes are not
    assert terms["p_value"].iloc[-1] < 1e-6 and summary["subtype_lr_p"] > 0.001


def test_cox_leaves_out_subtypes_without_a_finite_hazard_ratio():
    """A one-patient subtype, or one with no death, makes the partial likelihood unbounded (a singular fit)."""
    cohort = snapshot_cohort("KIRC")
    rng = np.random.default_rng(5)
    subtypes = pd.Series(rng.integers(1, 3, len(cohort.patients)), index=cohort.patients["patient_id"])
    alive = cohort.patients.loc[cohort.patients["event"] == 0, "patient_id"].to_numpy()
    subtypes[alive[:3]] = 3  # three patients, no death
    subtypes[alive[3]] = 4  # a single patient
    terms, summary = cox_subtypes(subtypes, cohort.patients, cohort.clinical, ["age_at_diagnosis_years"], [])
    assert summary["left_out"] == 4 and summary["subtype_lr_df"] == 1
    assert [t for t in terms["term"] if t.startswith("subtype")] == [terms["term"].iloc[0]]
    assert np.isfinite(terms["ci_upper"]).all()


def test_stage_groups():
    values = pd.Series(["stage iiic", "Stage IIA", "stage iv", "stage x", None, "stage i"])
    assert stage_group(values).fillna(0).tolist() == [3.0, 2.0, 4.0, 0.0, 0.0, 1.0]


def test_signature_auc_and_network_module():
    scores = np.array(
        [[5, 0, 1, 0], [6, 0, 2, 1], [7, 1, 0, 0], [1, 1, 1, 3], [0, 2, 0, 2], [2, 1, 2, 4], [1, 0, 1, 3]], dtype=float
    )
    subtypes = np.array([1, 1, 1, 2, 2, 2, 2])
    genes = np.array(["A", "B", "C", "D"])
    tests = rank_sum_by_subtype(scores, subtypes, genes)
    first = tests[tests["subtype"] == 1].set_index("gene")
    for gene in range(4):  # AUC: fraction of (inside, outside) pairs with inside > outside, ties one half
        inside, outside = scores[subtypes == 1, gene], scores[subtypes == 2, gene]
        pairs = [(a > b) + 0.5 * (a == b) for a in inside for b in outside]
        assert first.loc[genes[gene], "auc"] == pytest.approx(np.mean(pairs))
    # network A-D, D-E: signature genes A and D form a 2-gene module; C is isolated
    fake = pd.DataFrame(
        {
            "subtype": 1,
            "gene": ["A", "C", "D"],
            "patients": 3,
            "auc": [0.9, 0.8, 0.7],
            "statistic": 0,
            "p_value": 0.001,
            "q_value": 0.01,
        }
    )
    adjacency = sp.csr_matrix(
        np.array([[0, 0, 0, 1, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [1, 0, 0, 0, 1], [0, 0, 0, 1, 0]])
    )
    signature, edges = signatures_and_modules(fake, adjacency, np.array(["A", "B", "C", "D", "E"]))
    assert signature.set_index("gene")["in_module"].to_dict() == {"A": True, "C": False, "D": True}
    assert edges[["gene_a", "gene_b"]].values.tolist() == [["A", "D"]]


SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")


@pytest.mark.workflow
def test_stratification_stage_end_to_end(gbm_stratification):
    """GBM on STRING: NBS and raw, 4 subsamples in 2 jobs, every table and figure of the stage."""
    tmp_path, config, run = gbm_stratification
    assert run.returncode == 0, run.stderr[-3000:]
    assert "stratification.subsamples is 4: a consensus of fewer than 10 subsamples is coarse" in run.stderr
    root = tmp_path / "results" / "stratification" / "GBM"
    assert len(list((root / "nbs" / "subsamples").glob("batch*.npz"))) == 2
    for name in ("nbs", "raw"):
        selection = pd.read_csv(root / name / "model_selection.tsv", sep="\t")
        assert selection["k"].tolist() == [2, 3] and selection["chosen"].sum() == 1
        assert selection["pac"].between(0, 1).all() and (selection["runs"] == 4).all()
        assignments = pd.read_csv(root / name / "assignments.tsv", sep="\t")
        patients = pd.read_csv(tmp_path / "results/cohorts/GBM/patients.tsv", sep="\t")
        assert assignments["patient_id"].tolist() == patients["patient_id"].tolist()
        # pyNBS's scheme: a patient is clustered when some subsample keeps it (more than 10 sampled mutated genes)
        clustered = assignments["clustered"].to_numpy()
        assert not (clustered & (patients["n_mutations"] <= 10)).any()
        assert clustered.sum() >= 0.9 * (patients["n_mutations"] > 13).sum()
        k = int(selection.loc[selection["chosen"], "k"].iloc[0])
        assert sorted(assignments["subtype"].dropna().unique()) == list(range(1, k + 1))
        logrank = pd.read_csv(root / name / "logrank.tsv", sep="\t")
        tested = logrank["p_value"].notna()  # NaN: a subtype too small to test
        assert (logrank.loc[tested, "q_value"] >= logrank.loc[tested, "p_value"]).all()
        with np.load(root / name / "consensus.npz") as arrays:
            consensus = arrays["consensus"]
            assert np.allclose(consensus, consensus.transpose(0, 2, 1)) and consensus.max() <= 1
    # the report's table: the chosen k's subtypes and test, and BH over its rows, recomputed plainly
    summary = pd.read_csv(tmp_path / "results/stratification/summary.tsv", sep="\t").set_index("representation")
    p_values = {}
    for name in ("nbs", "raw"):
        selection = pd.read_csv(root / name / "model_selection.tsv", sep="\t")
        k = int(selection.loc[selection["chosen"], "k"].iloc[0])
        counts = pd.read_csv(root / name / "assignments.tsv", sep="\t")["subtype"].value_counts()
        logrank = pd.read_csv(root / name / "logrank.tsv", sep="\t").set_index("k")
        assert summary.loc[name, "k"] == k and summary.loc[name, "cancer"] == "GBM"
        assert summary.loc[name, "subtype_sizes"] == ", ".join(str(n) for n in sorted(counts, reverse=True))
        assert summary.loc[name, "logrank_p"] == pytest.approx(logrank.loc[k, "p_value"], nan_ok=True)
        p_values[name] = logrank.loc[k, "p_value"]  # NaN: a subtype too small to test
    tested = sorted(p for p in p_values.values() if not np.isnan(p))
    # Benjamini-Hochberg over the tested rows, written out for one or two p-values
    expected = {0: [], 1: tested, 2: [min(2 * tested[0], tested[-1]), tested[-1]]}[len(tested)]
    assert sorted(summary["logrank_q"].dropna()) == pytest.approx(expected)
    assert summary["logrank_q"].isna().sum() == 2 - len(tested)
    # the README's example, as written on this run's data and settings, gives the workflow's subsample labels
    readme = (REPO / "README.md").read_text()
    code = next(
        block for block in re.findall(r"```python\n(.*?)```", readme, re.DOTALL) if "cluster_runs_pynbs(" in block
    )
    for old, new in [
        ("pathway_commons", "string"),
        ("/OV", "/GBM"),
        ("range(20)", "range(4)"),
        ("[2, 3, 4]", "[2, 3]"),
        ('Factorization("network_nmf")', 'Factorization("network_nmf", max_iter=30)'),
        ("seed=20171019", f"seed={config['seed']}"),
    ]:
        assert old in code
        code = code.replace(old, new)
    namespace: dict = {}
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        exec(compile(code, "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    batches = [np.load(path) for path in sorted((root / "nbs" / "subsamples").glob("batch*.npz"))]
    workflow_labels = np.concatenate([batch["labels"] for batch in batches], axis=1)
    profile_patients = np.load(root / "nbs" / "profiles.npz", allow_pickle=True)["patients"].astype(str)
    rows = pd.Index(patients["patient_id"].astype(str)).get_indexer(profile_patients)
    assert np.array_equal(namespace["labels"][:, :, rows], workflow_labels)
    assert namespace["result"]["subtypes"].shape[0] == 2
    with pytest.raises(PancanError, match="influence graph has .* genes, the network n_network"):
        cluster_runs_pynbs(
            namespace["aligned"].X,
            [0],
            [2],
            Factorization(),
            seed=1,
            n_network=namespace["aligned"].n_network,
            adjacency=namespace["network"].adjacency,
            knn=namespace["knn"][:100, :100],
        )
    simulation = pd.read_csv(tmp_path / "results/stratification/simulation/ari.tsv", sep="\t")
    assert len(simulation) == 6 and set(simulation["method"]) == {"nbs", "raw"}
    assert set(simulation["universe"]) == {"network", "all"}
    assert (tmp_path / "results/stratification/networks/string/influence_knn.npz").exists()


def test_stratification_profiles_come_from_the_representation_registry():
    """A toy registry entry with a clustering is accepted by the schema and clustered as it says; entries
    without one (benchmark-only) and clustering-only entries stay out of each other's config lists."""
    from pancan import config_schema
    from pancan.benchmark.protocol import representation_pipeline
    from pancan.errors import InvalidParameterError
    from pancan.representations.registry import REGISTRY, Representation

    REGISTRY.add(Representation("binary_copy", "binary copy", "#123456", None, benchmarked=False, clustering="binary"))
    config_schema.refresh()
    try:
        config = config_schema.validate_workflow_config({"stratification": {"representations": ["binary_copy", "nbs"]}})
        assert config["stratification"]["representations"] == ["binary_copy", "nbs"]
        for section, name in (("stratification", "nsqn"), ("benchmark", "nbs"), ("benchmark", "binary_copy")):
            with pytest.raises(PancanError, match=f"'{name}' is not one of"):
                config_schema.validate_workflow_config({section: {"representations": [name]}})
        cohort = snapshot_cohort("GBM")
        profiles = build_profiles("binary_copy", cohort, None, min_mutations=10)
        # plainly: patients with at least 10 mutated genes, and every gene one of them carries
        dense = np.asarray(cohort.mutations.todense()) if sp.issparse(cohort.mutations) else cohort.mutations
        rows = [i for i in range(dense.shape[0]) if dense[i].sum() >= 10]
        genes = [j for j in range(dense.shape[1]) if dense[rows, j].sum() > 0]
        assert list(profiles.patients) == list(cohort.patients["patient_id"].iloc[rows])
        assert list(profiles.features) == list(cohort.genes[genes])
        np.testing.assert_array_equal(profiles.X.toarray(), dense[np.ix_(rows, genes)])
        with pytest.raises(PancanError, match="unknown stratification representation 'nsqn'"):
            build_profiles("nsqn", cohort, None)
        # an entry the stratification rules could not run is refused when declared
        with pytest.raises(ValueError, match="clustering 'binary' needs no network"):
            Representation("binary_net", "x", "#000000", None, benchmarked=False, clustering="binary", network="main")
        with pytest.raises(InvalidParameterError, match="nbs is clustered by the stratification stage only"):
            representation_pipeline("nbs", None)
        with pytest.raises(ValueError, match="clustering 'propagated' needs a network and smoothing=True"):
            Representation("nbs_x", "x", "#000000", None, benchmarked=False, clustering="propagated", network="main")
    finally:
        REGISTRY.remove("binary_copy")
        config_schema.refresh()
