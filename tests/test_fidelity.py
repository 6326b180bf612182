"""Fold by fold against the original NetNorM code on LUSC (vendored in tests/data/reference_original).

(a) Refitting at the original's chosen C and k on each outer-training part reproduces its
test predictions; (b) the whole nested cross-validation with the paper protocol on the
original's folds reproduces each representation's mean C.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import yaml
from real_data import aligned_cohort_of, pathway_commons_adjacency, snapshot_cohort
from scipy.stats import spearmanr
from sksurv.util import Surv

from pancan.benchmark.nested_cv import nested_cross_validation, splits_from_table
from pancan.benchmark.protocol import BenchmarkSettings, benchmark_search, representation_pipeline
from pancan.models import comparable_pairs, harrell_cindex
from pancan.representations import register_precomputed, smooth
from pancan.representations.registry import RepresentationContext, smoothing_options
from pancan.representations.row_cache import RowCache

REPO = Path(__file__).resolve().parents[1]
REFERENCE = Path(__file__).parent / "data" / "reference_original"
RESULTS = pd.read_csv(REFERENCE / "lusc_original_results.tsv", sep="\t")
PREDICTIONS = pd.read_csv(REFERENCE / "lusc_original_predictions.tsv", sep="\t")


def paper_protocol_settings() -> BenchmarkSettings:
    """config/paper_protocol.yaml with config/lusc_reference.yaml on top, read as the workflow reads them."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    for overlay in ("paper_protocol.yaml", "lusc_reference.yaml"):
        for key, value in yaml.safe_load((REPO / "config" / overlay).read_text()).items():
            config[key] = {**config[key], **value} if isinstance(value, dict) else value
    return config, BenchmarkSettings.from_config(config)


@pytest.fixture(scope="module")
def lusc(tmp_path_factory):
    """The paper protocol on LUSC as the workflow's jobs run it: one memo of patients' rows shared by every fit,
    with each alpha's smoothed profiles of the whole cohort computed once (the smooth_profiles rule's file)."""
    config, settings = paper_protocol_settings()
    assert config["survival"]["drop_zero_time"] and config["cancer_types"] == ["LUSC"]
    cohort = snapshot_cohort("LUSC", drop_zero_time=True)
    aligned = aligned_cohort_of(cohort)
    ids = cohort.patients["patient_id"].to_numpy()
    y = Surv.from_arrays(cohort.patients["event"].astype(bool), cohort.patients["time_days"])
    folds = pd.read_csv(REFERENCE / "lusc_folds.tsv", sep="\t")
    splits = splits_from_table(folds, ids, "lusc_folds.tsv", n_folds=settings.outer_folds)
    adjacency = pathway_commons_adjacency()
    memo = RowCache("LUSC rows")
    options = smoothing_options(settings.section)
    folder = tmp_path_factory.mktemp("smoothed")
    for alpha in settings.section["smoothing_alpha"]:
        path = folder / f"alpha{alpha:g}.npy"
        np.save(path, smooth(aligned.X, adjacency, alpha, **options))
        register_precomputed(memo, aligned.X, path, adjacency, alpha, **options)
    context = RepresentationContext(adjacency, aligned.n_network, memo=memo)
    return settings, aligned, ids, y, splits, context


def test_the_cohort_and_pairs_are_the_originals(lusc):
    _settings, _aligned, ids, y, splits, _ = lusc
    assert len(ids) == 173 and int(y["event"].sum()) == 84  # README of the reference
    for split in splits:
        row = RESULTS[(RESULTS["representation"] == "raw") & (RESULTS["fold"] == split.fold)].iloc[0]
        assert (len(split.train), len(split.test)) == (row["n_train"], row["n_test"])
        assert len(comparable_pairs(y["event"][split.train], y["time"][split.train])[0]) == row["n_pairs_train"]


@pytest.mark.parametrize("name", ["raw", "netnorm", "mutation_count"])
def test_refit_at_the_originals_choices_reproduces_its_predictions(lusc, name):
    settings, aligned, ids, y, splits, context = lusc
    beyond_tolerance = []  # folds whose test C differs from the original's by more than 0.005
    for split in splits:
        row = RESULTS[(RESULTS["representation"] == name) & (RESULTS["fold"] == split.fold)].iloc[0]
        params = {"model__C": row["liblinear_C"]}
        if name == "netnorm":
            params["representation__k"] = int(row["best_k"])
        pipeline = representation_pipeline(name, settings, context).set_params(**params)
        risk = pipeline.fit(aligned.X[split.train], y[split.train]).predict(aligned.X[split.test])
        original = PREDICTIONS[(PREDICTIONS["representation"] == name) & (PREDICTIONS["fold"] == split.fold)]
        original = -original.set_index("patient_id").loc[ids[split.test], "pred"].to_numpy()  # to risk scores
        assert int((pipeline[-1].coef_ != 0).sum()) == pytest.approx(row["nonzero_coef"], abs=1)
        if row["nonzero_coef"] == 0:  # the empty model: constant predictions, C = 0.5
            assert np.all(risk == 0) and harrell_cindex(y[split.test], risk) == row["harrell_c_test"]
            continue
        scale = np.abs(original).max()
        # the original stopped liblinear at tol=1e-4: predictions agree to that precision ...
        assert np.abs(risk - original).max() <= 2e-3 * scale
        assert spearmanr(risk, original).statistic >= 0.98
        ours = harrell_cindex(y[split.test], risk)
        if abs(ours - row["harrell_c_test"]) > 0.005:
            # ... so a C-index difference may only come from test pairs whose original predictions are closer
            # than that precision
            earlier, later = comparable_pairs(y["event"][split.test], y["time"][split.test])
            flipped = np.sign(risk[earlier] - risk[later]) != np.sign(original[earlier] - original[later])
            assert np.all(np.abs(original[earlier] - original[later])[flipped] <= 2e-3 * scale), (name, split.fold)
            beyond_tolerance.append((split.fold, round(ours, 4), row["harrell_c_test"].round(4)))
    # on LUSC exactly one fold, raw fold 4, through two such near-ties (docs/benchmarks.md, "Fidelity"); the next
    # test shows that it is the original's early stop
    assert beyond_tolerance == ([(4, 0.7063, 0.6993)] if name == "raw" else [])


def test_the_one_fold_that_differs_is_liblinears_early_stop(lusc):
    """LUSC raw fold 4: at the original's tol=1e-4, liblinear's C depends on its random coordinate order and
    includes the original's 0.6993; run to convergence it always gives pancan's 0.7063 (pancan solves to a
    relative duality gap of 1e-6)."""
    from sklearn.svm import LinearSVC

    _settings, aligned, _ids, y, splits, _ = lusc
    split = next(s for s in splits if s.fold == 4)
    X = aligned.X.tocsr()
    train = y[split.train]
    earlier, later = comparable_pairs(train["event"], train["time"])
    differences = X[split.train][later] - X[split.train][earlier]  # the original: higher = longer survival
    flip = np.where(np.arange(differences.shape[0]) % 2 == 1, -1.0, 1.0)
    signed = sp.diags(flip) @ differences
    test_c = {}
    for tol in (1e-4, 1e-8):
        values = set()
        for seed in range(10):
            model = LinearSVC(
                penalty="l1", loss="squared_hinge", dual=False, fit_intercept=False, C=0.005, tol=tol, random_state=seed
            )
            model.fit(signed, flip)
            values.add(round(harrell_cindex(y[split.test], -(X[split.test] @ model.coef_.ravel())), 4))
        test_c[tol] = values
    assert 0.6993 in test_c[1e-4] and len(test_c[1e-4]) > 1
    assert test_c[1e-8] == {0.7063}


def test_nested_cv_with_the_paper_protocol_reproduces_the_originals_means(lusc):
    settings, aligned, ids, y, splits, context = lusc
    seeds = {(s.repeat, s.fold): settings.inner_seed_for(s.repeat, s.fold) for s in splits}
    for name in ("raw", "netnorm", "mutation_count", "nsqn"):
        metrics, _, _ = nested_cross_validation(
            benchmark_search(name, settings, context),
            aligned.X,
            y,
            ids,
            splits,
            inner_seeds=seeds,
            feature_names=aligned.genes,
        ).tables()
        original = RESULTS[RESULTS["representation"] == name].sort_values("fold")
        assert metrics["harrell_c"].mean() == pytest.approx(original["harrell_c_test"].mean(), abs=0.02), name
        if name != "nsqn":  # NSQN: the original normalised each test fold with its own reference (a leak)
            chosen = settings.path().C
            np.testing.assert_array_equal([chosen[i] for i in metrics["penalty_index"]], original["liblinear_C"])
        if name == "netnorm":
            np.testing.assert_array_equal(metrics["parameter_value"], original["best_k"])
