"""Survival models: pairs vs brute force, C-index vs scikit-survival, SVM optimality vs a generic solver."""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sksurv.metrics import concordance_index_censored
from sksurv.util import Surv

import pancan.models.coxnet_path as coxnet_module
from pancan.errors import PancanError
from pancan.models import CoxnetPath, SparseSurvivalSVM, comparable_pairs, harrell_cindex, svm_path
from pancan.models.survival_svm import penalty_grid
from pancan.representations import NetNorM


def brute_force_pairs(event, time):
    return {
        (i, j)
        for i, j in itertools.permutations(range(len(time)), 2)
        if event[i] and (time[i] < time[j] or (time[i] == time[j] and not event[j]))
    }


@pytest.mark.parametrize("seed", range(5))
def test_pairs_match_brute_force_with_ties(seed):
    rng = np.random.default_rng(seed)
    time = rng.integers(0, 8, 40).astype(float)  # many tied times
    event = rng.random(40) < 0.5
    earlier, later = comparable_pairs(event, time)
    assert set(zip(earlier.tolist(), later.tolist())) == brute_force_pairs(event, time)
    assert len(earlier) == len(set(zip(earlier, later)))


@pytest.mark.parametrize("seed", range(5))
def test_cindex_matches_scikit_survival(seed):
    rng = np.random.default_rng(seed)
    time = rng.integers(1, 30, 120).astype(float)
    event = rng.random(120) < 0.4
    risk = rng.integers(0, 6, 120).astype(float)  # tied risks
    y = Surv.from_arrays(event, time)
    assert harrell_cindex(y, risk) == pytest.approx(concordance_index_censored(event, time, risk)[0], abs=1e-12)
    many = np.column_stack([risk, -risk, rng.random(120)])
    expected = [concordance_index_censored(event, time, column)[0] for column in many.T]
    np.testing.assert_allclose(harrell_cindex(y, many), expected, atol=1e-12)


def synthetic(n=120, p=30, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    hazard = np.exp(X[:, 0] - X[:, 1])
    death, censor = rng.exponential(1 / hazard), rng.exponential(1.5, n)
    return X, Surv.from_arrays(death < censor, np.minimum(death, censor))


def svm_objective(w, X, y, alpha):
    earlier, later = comparable_pairs(y["event"], y["time"])
    margin = X[earlier] @ w - X[later] @ w
    return np.mean(np.maximum(0, 1 - margin) ** 2) + alpha * np.abs(w).sum()


def test_svm_reaches_the_optimum_of_a_generic_solver():
    X, y = synthetic()
    alpha = 0.02
    w = svm_path(X, y, [alpha], tol=1e-9, max_iter=20000)[:, 0]
    # independent reference: explicit pair differences, w = u - v with u, v >= 0, L-BFGS-B
    earlier, later = comparable_pairs(y["event"], y["time"])
    D = X[earlier] - X[later]
    p = X.shape[1]

    def objective(uv):
        w_ = uv[:p] - uv[p:]
        slack = np.maximum(0, 1 - D @ w_)
        grad_w = -2 * D.T @ slack / len(D)
        return slack @ slack / len(D) + alpha * uv.sum(), np.concatenate([grad_w + alpha, -grad_w + alpha])

    reference = minimize(objective, np.zeros(2 * p), jac=True, method="L-BFGS-B", bounds=[(0, None)] * (2 * p),
                         options={"maxiter": 20000, "ftol": 1e-15, "gtol": 1e-12})
    w_ref = reference.x[:p] - reference.x[p:]
    assert svm_objective(w, X, y, alpha) <= svm_objective(w_ref, X, y, alpha) + 1e-7
    np.testing.assert_allclose(w, w_ref, atol=2e-3)
    assert w[0] > 0 and w[1] < 0  # risk-score sign: higher = earlier death


def test_svm_path_is_sparse_then_dense_and_handles_sparse_input():
    X, y = synthetic()
    penalties = penalty_grid(X, y, 6, 0.01)
    coefs = svm_path(X, y, penalties)
    selected = (coefs != 0).sum(axis=0)
    assert selected[0] == 0 and selected[-1] > selected[1] and (np.diff(penalties) < 0).all()
    sparse_coefs = svm_path(sp.csr_matrix(X), y, penalties)
    np.testing.assert_allclose(sparse_coefs, coefs, atol=1e-8)
    with pytest.raises(PancanError, match="no death in the training data"):
        svm_path(X, Surv.from_arrays(np.zeros(len(y), bool), y["time"]), penalties)


def test_svm_estimator_in_pipeline_and_grid_search():
    rng = np.random.default_rng(1)
    n, p = 150, 60
    adjacency = sp.random(p, p, density=0.08, random_state=1, data_rvs=np.ones)
    adjacency = ((adjacency + adjacency.T) > 0).astype(np.int8)
    X = sp.csr_matrix((rng.random((n, p)) < 0.1).astype(float))
    hazard = np.exp(1.5 * X[:, :5].toarray().sum(axis=1))
    death, censor = rng.exponential(1 / hazard), rng.exponential(2, n)
    y = Surv.from_arrays(death < censor, np.minimum(death, censor))
    search = GridSearchCV(
        Pipeline([("netnorm", NetNorM(adjacency, k=5, max_k=20)), ("svm", SparseSurvivalSVM())]),
        {"netnorm__k": [5, 10, 20], "svm__alpha": [0.005, 0.05]},
        cv=KFold(3, shuffle=True, random_state=0),
    ).fit(X, y)
    assert search.best_score_ > 0.5
    assert SparseSurvivalSVM(alpha=0.01).fit(X, y).score(X, y) > 0.6


def test_coxnet_path_and_numerical_errors(monkeypatch):
    X, y = synthetic()
    model = CoxnetPath(l1_ratio=1.0, n_penalties=6, min_ratio=0.01)
    penalties = model.penalty_grid(X, y)
    coefs = model.path(X, y, penalties)
    assert coefs.shape == (X.shape[1], len(penalties)) and (coefs[:, 0] == 0).all()
    assert coefs[0, -1] > 0 and coefs[1, -1] < 0  # Cox risk: same sign convention as the SVM
    original = coxnet_module.CoxnetSurvivalAnalysis.fit

    def fragile_fit(self, X, y):
        if self.alphas is not None and len(self.alphas) > 4:
            raise ArithmeticError("numerical error, please consider increasing alpha_min_ratio")
        return original(self, X, y)

    monkeypatch.setattr(coxnet_module.CoxnetSurvivalAnalysis, "fit", fragile_fit)
    robust = model.path(X, y, penalties)
    np.testing.assert_allclose(robust[:, :4], coefs[:, :4], atol=1e-6)
    np.testing.assert_array_equal(robust[:, 4], robust[:, 3])
