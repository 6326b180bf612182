"""The survival SVM's solver at scale (10,000 patients in strata) and with more working-set columns than patients."""

import itertools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from real_data import aligned_cohort, pathway_commons_adjacency, snapshot_cohort
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from sksurv.util import Surv

from pancan.models import SparseSurvivalSVM, comparable_pairs
from pancan.models.ranking_svm_solver import PairProblem, alpha_max, solve_path
from pancan.representations import NSQN


def plain_objective_and_gradient(X, earlier, later, w, alpha):
    """P(w) and the loss gradient, summed over the explicit pairs (nothing shared with the solver)."""
    scores = X @ w
    slack = np.maximum(0.0, 1.0 - (scores[earlier] - scores[later]))
    m = len(earlier)
    per_patient = np.bincount(earlier, slack, len(scores)) - np.bincount(later, slack, len(scores))
    gradient = -2.0 / m * (X.T @ per_patient)
    return slack @ slack / m + alpha * np.abs(w).sum(), np.asarray(gradient).ravel(), slack


@pytest.mark.parametrize("seed", range(3))
def test_pairs_within_groups_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    time = rng.integers(0, 8, 60).astype(float)
    event = rng.random(60) < 0.5
    groups = rng.choice(["BRCA", "LUAD", "OV"], 60)
    earlier, later = comparable_pairs(event, time, groups)
    expected = {
        (i, j)
        for i, j in itertools.permutations(range(60), 2)
        if groups[i] == groups[j] and event[i] and (time[i] < time[j] or (time[i] == time[j] and not event[j]))
    }
    assert sorted(zip(earlier.tolist(), later.tolist())) == sorted(expected)
    assert len(comparable_pairs(event, time)[0]) > len(earlier)  # without groups: also pairs across them


def test_10000_patients_in_strata_reach_the_duality_gap_and_the_optimality_conditions():
    """A pooled cohort of 10 types x 1,000 patients (pairs within a type): the gap and KKT, checked independently."""
    rng = np.random.default_rng(0)
    n, p = 10_000, 300
    X = sp.random(n, p, density=0.05, random_state=1, data_rvs=np.ones, format="csr")
    groups = np.repeat(np.arange(10), n // 10)
    hazard = np.exp(X[:, :8].toarray() @ np.array([1.0, -1.0, 0.8, -0.8, 0.6, 0.5, -0.5, 0.4]) + 0.2 * groups)
    death, censor = rng.exponential(1 / hazard), rng.exponential(0.3, n)
    event, time = death < censor, np.round(np.minimum(death, censor), 3)  # rounded: tied times too
    earlier, later = comparable_pairs(event, time, groups)
    assert 2_000_000 < len(earlier) < 2_500_000
    problem = PairProblem(X, earlier, later)
    alphas = alpha_max(problem) * np.array([0.5, 0.2, 0.05])
    coefs, infos = solve_path(problem, alphas, tol=1e-6)
    dense = X.toarray()
    for w, alpha, info in zip(coefs.T, alphas, infos):
        primal, gradient, slack = plain_objective_and_gradient(dense, earlier, later, w, alpha)
        # the dual point of the stopping rule, rebuilt here: (2/m) slack scaled into the dual's feasible set
        theta = 2.0 / len(earlier) * slack * min(1.0, alpha / np.abs(gradient).max())
        gap = primal - (theta.sum() - len(earlier) / 4.0 * theta @ theta)
        assert info.converged and gap <= 1e-6 * primal
        assert info.objective == pytest.approx(primal, rel=1e-12) and info.relative_gap <= 1e-6
        support = w != 0
        np.testing.assert_allclose(gradient[support], -alpha * np.sign(w[support]), rtol=0, atol=1e-3 * alpha)
        assert np.all(np.abs(gradient[~support]) <= alpha * (1 + 1e-3))
    assert 0 < (coefs[:, 0] != 0).sum() < (coefs[:, -1] != 0).sum() < p
    assert np.all(np.sign(coefs[:8, -1]) == [1, -1, 1, -1, 1, 1, -1, 1])  # the planted risk signs


@pytest.fixture(scope="module")
def ovarian_wide():
    """41 ovarian patients x 400 dense, correlated NSQN features (the most variable), as an inner fold of a small cohort."""
    cohort = snapshot_cohort("OV")
    rows = np.sort(np.random.default_rng(0).choice(len(cohort.patients), 41, replace=False))
    y = Surv.from_arrays(cohort.patients["event"].to_numpy(bool)[rows], cohort.patients["time_days"].to_numpy()[rows])
    Z = np.asarray(NSQN(pathway_commons_adjacency(), 0.7).fit_transform(aligned_cohort("OV").X[rows]), np.float64)
    return Z[:, np.argsort(-Z.var(axis=0), kind="stable")[:400]], y


@pytest.mark.parametrize("C", [0.05, 0.5])
def test_more_columns_than_patients_converges_to_the_optimum_of_a_generic_solver(ovarian_wide, C):
    """The Hessian is singular (400 columns, 41 patients): the step must still descend to the optimum."""
    X, y = ovarian_wide
    earlier, later = comparable_pairs(y["event"], y["time"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = SparseSurvivalSVM(C=C).fit(X, y)
    alpha = model.alpha_
    assert model.converged_ and model.path_infos_[0].relative_gap <= 1e-6 and (model.coef_ != 0).sum() > 1
    D, p = X[earlier] - X[later], X.shape[1]

    def split(uv):  # w = u - v with u, v >= 0, L-BFGS-B to high accuracy
        w = uv[:p] - uv[p:]
        slack = np.maximum(0, 1 - D @ w)
        gradient = -2 * D.T @ slack / len(D)
        return slack @ slack / len(D) + alpha * uv.sum(), np.concatenate([gradient + alpha, -gradient + alpha])

    reference = minimize(
        split,
        np.zeros(2 * p),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0, None)] * (2 * p),
        options={"maxiter": 50000, "maxfun": 100000, "ftol": 1e-16, "gtol": 1e-12},
    )
    ours = plain_objective_and_gradient(X, earlier, later, model.coef_, alpha)[0]
    best = plain_objective_and_gradient(X, earlier, later, reference.x[:p] - reference.x[p:], alpha)[0]
    assert ours <= best * (1 + 1e-6)
    assert ours >= best * (1 - 1e-3)  # the reference is near the optimum too: the comparison means something


def test_the_warning_states_the_relative_gap_it_tests_and_path_infos_record_each_penalty():
    rng = np.random.default_rng(2)
    X = (rng.random((150, 400)) < 0.15).astype(float)
    y = Surv.from_arrays(rng.random(150) < 0.5, rng.exponential(1.0, 150))
    with pytest.warns(ConvergenceWarning) as caught:
        model = SparseSurvivalSVM(alpha=0.005, max_iter=1).fit(X, y)
    info = model.path_infos_[0]
    assert not model.converged_ and not info.converged and info.rounds == 1
    message = str(caught[0].message)
    assert f"relative duality gap {info.gap / info.objective:.2e}" in message
    assert "above tol=1e-06 after max_iter=1 working-set rounds" in message
    model = SparseSurvivalSVM()
    coefs = model.path(X, y, [0.02, 0.01, 0.005])
    assert [info.alpha for info in model.path_infos_] == [0.02, 0.01, 0.005]
    for w, info in zip(coefs.T, model.path_infos_):
        objective = plain_objective_and_gradient(X, *comparable_pairs(y["event"], y["time"]), w, info.alpha)[0]
        assert info.converged and info.relative_gap <= 1e-6 and info.objective == pytest.approx(objective, rel=1e-12)
