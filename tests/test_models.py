"""Survival models: pairs vs brute force, C-index vs scikit-survival, the SVM vs liblinear and a generic solver."""

import itertools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC
from sksurv.metrics import concordance_index_censored
from sksurv.util import Surv

import pancan.models.coxnet as coxnet_module
from pancan.benchmark.feature_steps import VarianceFilter
from pancan.errors import InsufficientDataError
from pancan.models import SparseCoxnet, SparseSurvivalSVM, comparable_pairs, harrell_cindex
from pancan.models.lasso_qp import lasso_qp
from pancan.models.path_search import CostPenalties, PathSearchCV, RelativePenalties
from pancan.models.ranking_svm_solver import PairProblem, duality_gap, first_of_identical_columns
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


def synthetic(n=120, p=30, seed=0, binary=False):
    rng = np.random.default_rng(seed)
    X = (rng.random((n, p)) < 0.15).astype(float) if binary else rng.standard_normal((n, p))
    hazard = np.exp(1.2 * X[:, 0] - X[:, 1])
    death, censor = rng.exponential(1 / hazard), rng.exponential(1.5, n)
    return X, Surv.from_arrays(death < censor, np.minimum(death, censor))


def objective(w, X, y, alpha):
    earlier, later = comparable_pairs(y["event"], y["time"])
    margin = X[earlier] @ w - X[later] @ w
    return np.mean(np.maximum(0, 1 - margin) ** 2) + alpha * np.abs(w).sum()


def test_svm_reaches_the_optimum_of_a_generic_solver_at_the_shipped_tolerance():
    X, y = synthetic()
    alpha = 0.02
    model = SparseSurvivalSVM(alpha=alpha).fit(X, y)  # shipped tol: relative duality gap 1e-6
    assert model.duality_gap_ <= 1e-6 * objective(model.coef_, X, y, alpha)
    # independent reference: explicit pair differences, w = u - v with u, v >= 0, L-BFGS-B
    earlier, later = comparable_pairs(y["event"], y["time"])
    D = X[earlier] - X[later]
    p = X.shape[1]

    def reference_objective(uv):
        w_ = uv[:p] - uv[p:]
        slack = np.maximum(0, 1 - D @ w_)
        grad_w = -2 * D.T @ slack / len(D)
        return slack @ slack / len(D) + alpha * uv.sum(), np.concatenate([grad_w + alpha, -grad_w + alpha])

    reference = minimize(
        reference_objective,
        np.zeros(2 * p),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0, None)] * (2 * p),
        options={"maxiter": 20000, "ftol": 1e-15, "gtol": 1e-12},
    )
    w_ref = reference.x[:p] - reference.x[p:]
    assert objective(model.coef_, X, y, alpha) <= objective(w_ref, X, y, alpha) + 1e-9
    np.testing.assert_allclose(model.coef_, w_ref, atol=1e-4)
    assert model.coef_[0] > 0 and model.coef_[1] < 0  # risk-score sign: higher = earlier death


@pytest.mark.parametrize("C", [0.0005, 0.002, 0.01])
def test_liblinear_cost_units_match_linear_svc_on_pair_differences(C):
    """The paper's model: LinearSVC(l1, squared hinge) on x_later - x_earlier, half sign-flipped."""
    X, y = synthetic(n=90, p=25, seed=3, binary=True)
    earlier, later = comparable_pairs(y["event"], y["time"])
    D = X[later] - X[earlier]  # liblinear's convention: higher score = longer survival
    labels = np.ones(len(D))
    flip = np.arange(len(D)) % 2 == 1
    D[flip] *= -1
    labels[flip] = -1
    liblinear = LinearSVC(
        penalty="l1", loss="squared_hinge", dual=False, fit_intercept=False, C=C, tol=1e-10, max_iter=100000
    ).fit(D, labels)
    ours = SparseSurvivalSVM(C=C).fit(X, y)
    assert ours.alpha_ == pytest.approx(1 / (C * len(earlier)))
    w_liblinear = -liblinear.coef_.ravel()  # back to risk scores
    np.testing.assert_array_equal(ours.coef_ != 0, np.abs(w_liblinear) > 1e-8)
    np.testing.assert_allclose(ours.coef_, w_liblinear, atol=1e-5)

    def liblinear_objective(w):
        return np.abs(w).sum() + C * np.sum(np.maximum(0, 1 - labels * (D @ -w)) ** 2)

    assert liblinear_objective(ours.coef_) <= liblinear_objective(w_liblinear) * (1 + 1e-7)


def test_pairs_kept_for_one_target_follow_a_new_target_and_leave_with_the_fit():
    """A cost C is turned into alpha with the pairs of the target asked about, never another target's, and a fitted
    model keeps neither the pairs nor the training target's bytes."""
    X, y = synthetic(n=90, p=25, seed=3, binary=True)
    other = y.copy()  # the same length and dtype, fewer deaths: fewer pairs
    other["event"][np.flatnonzero(other["event"])[::2]] = False
    halves, alternate = np.repeat(["LUAD", "LUSC"], 45), np.tile(["LUAD", "LUSC"], 45)
    model = SparseSurvivalSVM(C=0.002)
    counts = []
    for target, strata in [(y, None), (other, None), (y, halves), (y, alternate), (y, None)]:
        expected = brute_force_pairs(target["event"], target["time"])
        if strata is not None:
            expected = {(i, j) for i, j in expected if strata[i] == strata[j]}
        assert model.penalty_for(target, groups=strata) == pytest.approx(1 / (0.002 * len(expected)))
        counts.append(len(expected))
    assert len(set(counts)) == 4  # each target and partition has its own number of pairs
    model.path(X, y, [0.01])
    assert not hasattr(model, "_pairs_memo")
    model.penalty_for(y)
    model.fit(X, y)
    assert not hasattr(model, "_pairs_memo") and model.alpha_ == pytest.approx(
        1 / (0.002 * len(brute_force_pairs(y["event"], y["time"])))
    )


def test_solver_stops_on_the_gap_and_warns_at_max_iter():
    X, y = synthetic(n=150, p=400, seed=2, binary=True)
    problem = PairProblem(sp.csr_matrix(X), *comparable_pairs(y["event"], y["time"]))
    model = SparseSurvivalSVM(alpha=0.005, tol=1e-6).fit(sp.csr_matrix(X), y)
    primal, gap, _ = duality_gap(problem, model.coef_, 0.005)
    assert gap <= 1e-6 * primal and (model.coef_ != 0).sum() > 5
    with pytest.warns(ConvergenceWarning, match=r"duality gap .* above tol=1e-06 after max_iter=1 working-set rounds"):
        SparseSurvivalSVM(alpha=0.005, max_iter=1).fit(X, y)


def test_identical_dense_columns_are_recognised_wherever_they_sit():
    # 1,031 copies of one float32 column: a BLAS product rounds the last three differently
    # (it gave these copies distinct keys), so the grouping must not depend on position
    column = np.random.default_rng(3).random(97).astype(np.float32)
    X = np.repeat(column[:, None], 1031, axis=1)
    X[:, 100] = 0.0  # an empty column is never a candidate
    expected = np.zeros(1031, dtype=bool)
    expected[0] = True
    np.testing.assert_array_equal(first_of_identical_columns(X), expected)
    np.testing.assert_array_equal(first_of_identical_columns(X.astype(np.float64)), expected)
    # and different columns never share a key, even binary ones (whose bits are multiples of a large power of 2)
    rng = np.random.default_rng(4)
    binary = (rng.random((150, 2000)) < 0.15).astype(np.float64)
    assert np.unique(binary, axis=1).shape[1] == 2000
    for different in (binary, binary.astype(np.float32), sp.csr_matrix(binary)):
        assert first_of_identical_columns(different).all()


def test_identical_columns_get_one_coefficient():
    X, y = synthetic(n=100, p=10, seed=4, binary=True)
    X = np.hstack([X, X[:, :1], np.zeros((100, 1))])  # column 10 duplicates column 0; column 11 is empty
    np.testing.assert_array_equal(first_of_identical_columns(X), [True] * 10 + [False, False])
    np.testing.assert_array_equal(first_of_identical_columns(sp.csr_matrix(X)), first_of_identical_columns(X))
    coef = SparseSurvivalSVM(alpha=0.01).fit(X, y).coef_
    assert coef[10] == 0 and coef[0] != 0
    # the optimum of the problem without the duplicate
    np.testing.assert_allclose(coef[:10], SparseSurvivalSVM(alpha=0.01).fit(X[:, :10], y).coef_, atol=1e-8)


def test_path_is_sparse_then_dense_and_sparse_input_agrees():
    X, y = synthetic()
    model = SparseSurvivalSVM()
    alpha_max = model.alpha_max(X, y)
    alphas = alpha_max * np.logspace(0, -2, 6)
    coefs = model.path(X, y, alphas)
    selected = (coefs != 0).sum(axis=0)
    assert selected[0] == 0 and selected[-1] > selected[1]
    # just below alpha_max one feature enters (not at 0.999 alpha_max: there w = 0's relative duality gap is
    # 1e-6 to rounding, the solver's tolerance, so whether it counts as converged depends on the last bits)
    assert (model.path(X, y, [alpha_max * 0.99]) != 0).sum() == 1
    np.testing.assert_allclose(model.path(sp.csr_matrix(X), y, alphas), coefs, atol=1e-8)


@pytest.mark.parametrize("active_share", [0.02, 0.9])  # the sparse and the dense Laplacian branches
def test_hessian_kept_across_steps_equals_the_sum_over_active_pairs(active_share):
    """The Hessian, rebuilt or updated from changed pairs and entering columns, is the plain sum over active pairs."""
    rng = np.random.default_rng(1)
    n = 120
    X = (rng.random((n, 300)) < 0.05) * rng.random((n, 300))
    earlier, later = comparable_pairs(*synthetic_survival(rng, n))
    for data in (X, sp.csr_matrix(X)):
        problem = PairProblem(data, earlier, later)

        def expected(features, slack, problem=problem):
            active = slack > 0
            differences = X[problem.earlier[active]][:, features] - X[problem.later[active]][:, features]
            return 2.0 / problem.m * sum(np.outer(d, d) for d in differences)

        slack = np.where(rng.random(problem.m) < active_share, rng.random(problem.m), 0.0)
        assert (8 * (slack > 0).sum() < n * n) == (active_share < 0.5)  # which Laplacian branch is taken
        features = np.sort(rng.choice(300, 40, replace=False))
        # a rebuild, then updates: a few pairs change, and columns enter and leave (odd steps) or stay (even steps:
        # the Hessian kept is updated in place)
        for step in range(6):
            XW = problem.columns(features)
            np.testing.assert_array_equal(XW, X[:, features])
            np.testing.assert_allclose(
                problem.hessian(features, XW, slack > 0), expected(features, slack), rtol=1e-12, atol=1e-15
            )
            flip = rng.random(problem.m) < 0.01
            slack = np.where(flip, np.where(slack > 0, 0.0, rng.random(problem.m)), slack)
            if step % 2:
                features = np.union1d(features[step:], rng.choice(300, 5, replace=False))


def synthetic_survival(rng, n):
    time = rng.integers(1, 2000, n).astype(float)
    return rng.random(n) < 0.4, time


def test_lasso_qp_reaches_the_optimum_of_a_generic_solver():
    rng = np.random.default_rng(0)
    for _ in range(10):
        q = int(rng.integers(5, 40))
        Z = rng.standard_normal((q + 10, q))
        H, b, alpha = Z.T @ Z / q + 1e-6 * np.eye(q), rng.standard_normal(q), float(rng.uniform(0.1, 2))
        v = lasso_qp(H, b, alpha, np.zeros(q))

        def split(uv, H=H, b=b, alpha=alpha, q=q):  # v = u - w with u, w >= 0: smooth, bound-constrained
            x = uv[:q] - uv[q:]
            gradient = H @ x + b
            return 0.5 * x @ H @ x + b @ x + alpha * uv.sum(), np.concatenate([gradient + alpha, -gradient + alpha])

        reference = minimize(
            split,
            np.zeros(2 * q),
            jac=True,
            method="L-BFGS-B",
            bounds=[(0, None)] * (2 * q),
            options={"maxiter": 20000, "ftol": 1e-16, "gtol": 1e-12},
        )
        np.testing.assert_allclose(v, reference.x[:q] - reference.x[q:], atol=1e-6)
        gradient = H @ v + b  # optimality: -alpha sign(v) on the support, within [-alpha, alpha] elsewhere
        np.testing.assert_allclose(gradient[v != 0], -alpha * np.sign(v[v != 0]), atol=1e-10)
        assert np.all(np.abs(gradient[v == 0]) <= alpha + 1e-10)
        # the ridge added on the fly is the same program as the ridge written into H (H itself untouched)
        ridge, kept = float(rng.uniform(0.01, 1)), H.copy()
        np.testing.assert_allclose(
            lasso_qp(H, b, alpha, np.zeros(q), ridge=ridge),
            lasso_qp(H + ridge * np.eye(q), b, alpha, np.zeros(q)),
            atol=1e-10,
        )
        np.testing.assert_array_equal(H, kept)


def test_svm_validates_its_inputs():
    X, y = synthetic()
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        SparseSurvivalSVM().fit(X, y[:-1])
    with pytest.raises(ValueError, match="y must be a scikit-survival structured array of \\(event, time\\)"):
        SparseSurvivalSVM().fit(X, y["time"])
    with pytest.raises(ValueError, match="requires y to be passed, but the target y is None"):
        SparseSurvivalSVM().fit(X, None)
    for params, message in [
        ({"alpha": -1}, "alpha must be a non-negative number"),
        ({"C": 0}, "C must be a positive"),
        ({"tol": "x"}, "tol must be a positive"),
        ({"max_iter": 0}, "max_iter must be a positive"),
    ]:
        with pytest.raises(ValueError, match=message):
            SparseSurvivalSVM(**params).fit(X, y)
    with pytest.raises(InsufficientDataError, match="no death in the training data"):
        SparseSurvivalSVM().fit(X, Surv.from_arrays(np.zeros(len(y), bool), y["time"]))
    with pytest.raises(ValueError, match="X has 29 features, but SparseSurvivalSVM is expecting 30"):
        SparseSurvivalSVM().fit(X, y).predict(X[:, 1:])


def test_svm_never_modifies_its_inputs():
    X, y = synthetic()
    X_sparse = sp.csr_matrix(X)
    for array in (X, X_sparse.data, X_sparse.indices, X_sparse.indptr, y):
        array.setflags(write=False)
    SparseSurvivalSVM(alpha=0.01).fit(X, y).predict(X)
    SparseSurvivalSVM(alpha=0.01).fit(X_sparse, y).predict(X_sparse)


def test_path_search_matches_a_brute_force_grid_search():
    rng = np.random.default_rng(1)
    n, p = 150, 60
    upper = sp.triu(sp.random(p, p, density=0.08, random_state=1, data_rvs=np.ones), 1)
    adjacency = ((upper + upper.T) > 0).astype(np.int8)
    X = sp.csr_matrix((rng.random((n, p)) < 0.1).astype(float))
    hazard = np.exp(1.5 * X[:, :5].toarray().sum(axis=1))
    death, censor = rng.exponential(1 / hazard), rng.exponential(2, n)
    y = Surv.from_arrays(death < censor, np.minimum(death, censor))
    ks = [5, 10, 20]
    pipeline = Pipeline(
        [
            ("netnorm", NetNorM(adjacency, max_k=20)),
            ("filter", VarianceFilter(None)),
            ("svm", SparseSurvivalSVM(tol=1e-7)),
        ]
    )
    search = PathSearchCV(
        pipeline, {"netnorm__k": ks}, path=CostPenalties((0.002, 0.005, 0.02)), cv=3, random_state=7
    ).fit(X, y)
    # independent of PathSearchCV: cold-start fits at every (C, k), size-weighted inner C, first maximum with
    # penalties outer; CostPenalties give alpha = 1 / (C x pairs of each inner training set), as liblinear's C
    splits = list(StratifiedKFold(3, shuffle=True, random_state=7).split(np.zeros(n), y["event"]))
    table = np.zeros((3, 3))
    for a, C in enumerate((0.002, 0.005, 0.02)):
        for j, k in enumerate(ks):
            scores = []
            for train, valid in splits:
                pipe = Pipeline(
                    [
                        ("netnorm", NetNorM(adjacency, k=k)),
                        ("filter", VarianceFilter(None)),
                        ("svm", SparseSurvivalSVM(C=C, tol=1e-7)),
                    ]
                ).fit(X[train], y[train])
                scores.append(pipe.score(X[valid], y[valid]))
            table[a, j] = np.average(scores, weights=[len(v) for _, v in splits])
    a, j = divmod(int(np.argmax(table.ravel())), 3)
    assert search.best_params_ == {"netnorm__k": ks[j]} and search.best_index_ == (j, a)
    assert search.best_score_ == pytest.approx(table[a, j], abs=1e-9)
    refit = Pipeline(
        [
            ("netnorm", NetNorM(adjacency, k=ks[j])),
            ("filter", VarianceFilter(None)),
            ("svm", SparseSurvivalSVM(C=(0.002, 0.005, 0.02)[a], tol=1e-7)),
        ]
    ).fit(X, y)
    np.testing.assert_allclose(search.predict(X), refit.predict(X), atol=1e-6)
    assert spearmanr(search.predict(X), refit.predict(X)).statistic > 0.9999
    # relative penalties: the same alphas in every inner split, from alpha_max on the search's training set
    relative = PathSearchCV(pipeline, {"netnorm__k": ks}, path=RelativePenalties(4, 0.1), cv=3, random_state=7).fit(
        X, y
    )
    assert relative.score(X, y) > 0.6 and relative.cv_results_["mean_test_score"].shape == (12,)


def test_path_search_keeps_only_what_the_next_grid_value_and_the_refit_need():
    """Each split's solutions are kept on the features non-zero along the path (the warm starts of the next grid
    value); a search evaluated without keeping the training transform refits to the same model."""
    rng = np.random.default_rng(3)
    n, p = 120, 80
    X = sp.csr_matrix((rng.random((n, p)) < 0.1).astype(float))
    hazard = np.exp(1.5 * X[:, :4].toarray().sum(axis=1))
    death, censor = rng.exponential(1 / hazard), rng.exponential(2, n)
    y = Surv.from_arrays(death < censor, np.minimum(death, censor))
    pipeline = Pipeline([("filter", VarianceFilter(None)), ("svm", SparseSurvivalSVM())])
    search = PathSearchCV(pipeline, {"filter__max_features": [40, 60]}, path=RelativePenalties(4, 0.2), cv=3)
    search.random_state = 0
    first = search.evaluate({"filter__max_features": 40}, X, y)
    assert first.transformed is not None
    for names, coefs in first.split_solutions:
        assert len(names) == coefs.shape[0] < 40 and (abs(coefs).sum(axis=1) > 0).all()
    fitted = clone(search).fit(X, y)
    results = []
    for max_features in (40, 60):
        previous = results[-1] if results else None
        results.append(search.evaluate({"filter__max_features": max_features}, X, y, previous, keep_transformed=False))
    assert all(result.transformed is None for result in results)
    np.testing.assert_array_equal(search.score_table(results).ravel(), fitted.cv_results_["mean_test_score"])
    refitted = search.refit(results, X, y)
    assert refitted.best_index_ == fitted.best_index_
    np.testing.assert_array_equal(refitted.predict(X), fitted.predict(X))


def test_coxnet_path_and_numerical_errors(monkeypatch):
    X, y = synthetic()
    model = SparseCoxnet(l1_ratio=1.0)
    alphas = model.alpha_max(X, y) * np.logspace(0, -2, 6)
    coefs = model.path(X, y, alphas)
    assert coefs.shape == (X.shape[1], len(alphas)) and (coefs[:, 0] == 0).all()
    assert coefs[0, -1] > 0 and coefs[1, -1] < 0  # Cox risk: same sign convention as the SVM
    original = coxnet_module.CoxnetSurvivalAnalysis.fit

    def fragile_fit(self, X, y):
        if self.alphas is not None and len(self.alphas) > 4:
            raise ArithmeticError("numerical error, please consider increasing alpha_min_ratio")
        return original(self, X, y)

    monkeypatch.setattr(coxnet_module.CoxnetSurvivalAnalysis, "fit", fragile_fit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        robust = model.path(X, y, alphas)
    np.testing.assert_allclose(robust[:, :4], coefs[:, :4], atol=1e-6)
    # penalties it could not fit are not filled in with another penalty's coefficients
    assert np.isnan(robust[:, 4:]).all()
    refit = clone(model).fit_path(X, y, alphas)  # the weakest penalty it could fit, and says which
    assert refit.alpha == alphas[3]
    np.testing.assert_allclose(refit.coef_, coefs[:, 3], atol=1e-6)
    # in the inner cross-validation they score NaN, so they are never chosen
    pipeline = Pipeline([("filter", VarianceFilter(None)), ("model", clone(model))])
    search = PathSearchCV(pipeline, {}, path=RelativePenalties(6, 0.01, 1.0), cv=3)
    search.random_state = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = search.evaluate({}, X, y).scores
    assert np.isnan(scores[:, 4:]).all() and np.isfinite(scores[:, 1:4]).all()
