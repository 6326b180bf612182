"""Gradient-boosted Cox trees as an optional comparison model, through the benchmark's own protocol."""

import numpy as np
import pytest
from real_data import aligned_cohort, snapshot_cohort
from sksurv.ensemble import GradientBoostingSurvivalAnalysis
from sksurv.util import Surv
from test_benchmark import planted_cohort

from pancan.benchmark.feature_steps import VarianceFilter
from pancan.benchmark.nested_cv import nested_cross_validation, outer_splits
from pancan.benchmark.protocol import BenchmarkSettings, benchmark_search
from pancan.models import harrell_cindex
from pancan.models.boosting import BoostedCox
from pancan.networks.adjacency import NetworkAdjacency
from pancan.representations.registry import RepresentationContext


def luad_training_data(n_features=300):
    """LUAD's real profiles, reduced to its most variable genes, split into training and test patients."""
    cohort = snapshot_cohort("LUAD")
    X = VarianceFilter(n_features).fit_transform(aligned_cohort("LUAD").X)
    patients = cohort.patients
    y = Surv.from_arrays(patients["event"].astype(bool), patients["time_days"])
    rows = np.random.default_rng(0).permutation(len(y))
    return X[rows[:350]], y[rows[:350]], X[rows[350:]]


def test_predictions_along_the_stages_equal_models_fitted_with_that_many_stages():
    X, y, X_test = luad_training_data()
    stages = [5, 20, 40]
    model = BoostedCox(learning_rate=0.2, max_depth=2, random_state=3)
    risk = model.path_predict(X, y, stages, X_test)
    assert risk.shape == (X_test.shape[0], 3)
    for column, stage in enumerate(stages):
        alone = GradientBoostingSurvivalAnalysis(n_estimators=stage, learning_rate=0.2, max_depth=2, random_state=3)
        np.testing.assert_allclose(risk[:, column], alone.fit(X, y).predict(X_test), rtol=1e-12, atol=1e-12)
    refit = model.fit_path(X, y, stages[:2])
    assert refit.n_estimators == 20 and len(refit.model_.estimators_) == 20
    np.testing.assert_allclose(refit.predict(X_test), risk[:, 1], rtol=1e-12, atol=1e-12)
    assert refit.feature_importances_.shape == (X.shape[1],) and refit.feature_importances_.sum() == pytest.approx(1)


def test_gradient_boosting_runs_through_the_nested_cross_validation():
    aligned, network, y, members = planted_cohort(seed=5)
    settings = BenchmarkSettings.from_benchmark(
        {"model": "gradient_boosting", "boosting": {"stages": [10, 40, 100], "max_depth": 1}, "inner_folds": 3}, seed=2
    )
    context = RepresentationContext(NetworkAdjacency(network.adjacency), aligned.n_network)
    search = benchmark_search("raw", settings, context)
    splits = outer_splits(y["event"], 4, 1, seed=7)
    ids = np.array([f"P{i}" for i in range(len(y))])
    seeds = {(s.repeat, s.fold): settings.inner_seed_for(s.repeat, s.fold) for s in splits}
    results = nested_cross_validation(search, aligned.X, y, ids, splits, inner_seeds=seeds, feature_names=aligned.genes)
    metrics, predictions, coefficients = results.tables()
    assert set(metrics["penalty"]) <= {10.0, 40.0, 100.0} and set(metrics["penalty_edge"]) <= {"", "fewest", "most"}
    # importances, not signed coefficients; the planted module's genes carry most of them
    assert (coefficients["coefficient"] > 0).all()
    module = set(aligned.genes[members])
    share = (
        coefficients.loc[coefficients["feature"].isin(module), "coefficient"].sum() / coefficients["coefficient"].sum()
    )
    assert share > 0.3, share
    # every test patient predicted once; the planted signal is found: stumps on single genes recover 39-70% of
    # the oracle indicator's margin over chance (measured on seeds 5-7), less than the linear models' 40%+
    assert len(predictions) == len(y) and predictions["patient_id"].is_unique
    oracle = harrell_cindex(y, (np.asarray(aligned.X[:, members].sum(axis=1)).ravel() > 0).astype(float))
    assert metrics["harrell_c"].mean() > 0.5 + 0.3 * (oracle - 0.5), (metrics["harrell_c"].tolist(), oracle)
    inner = results.inner_table()
    assert len(inner) == 4 * 3 and set(inner["path_parameter"]) == {"n_estimators"}
    assert inner.groupby("fold")["chosen"].sum().eq(1).all()
