"""The pooled pan-cancer model on real snapshot cohorts: pairs within a type only, stratified folds, per-type C."""

import itertools
from functools import cache

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from real_data import aligned_cohort, pathway_commons_adjacency, snapshot_cohort
from scipy.stats import t as stats_t
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC
from sksurv.metrics import concordance_index_censored
from sksurv.util import Surv

from pancan.benchmark.feature_steps import VarianceFilter
from pancan.benchmark.nested_cv import nested_cross_validation, outer_splits
from pancan.benchmark.pooled import (
    POOLED_ROW,
    check_pooled_deaths,
    check_pooled_model,
    check_same_test_patients,
    per_type_concordance,
    per_type_models_stratified_c,
    pool_cohorts,
    pooled_comparison,
    pooled_fold_pairs,
    pooled_outer_splits,
    register_stacked_smoothings,
)
from pancan.benchmark.protocol import BenchmarkSettings
from pancan.config_schema import default_config, validate_workflow_config
from pancan.config_validation import ConfigError
from pancan.errors import InsufficientDataError, InvalidParameterError
from pancan.models import SparseCoxnet, SparseSurvivalSVM
from pancan.models.path_search import PathSearchCV, RelativePenalties
from pancan.models.registry import MODELS
from pancan.representations import NSQN, AlignedMutations, NetworkSmoothing, RawMutations, smooth
from pancan.representations.row_cache import RowCache

TYPES = ("GBM", "KIRC")


@cache
def pooled_snapshot():
    """GBM and KIRC of the snapshot, aligned to Pathway Commons and stacked."""
    return pool_cohorts({cancer: (aligned_cohort(cancer), snapshot_cohort(cancer).patients) for cancer in TYPES})


@cache
def small_pooled(per_type: int = 45, genes: int = 12):
    """A few patients of each type and the genes mutated most often in them (dense, binary): small enough for loops."""
    pooled = pooled_snapshot()
    rng = np.random.default_rng(0)
    rows = np.concatenate(
        [np.sort(rng.choice(np.flatnonzero(pooled.groups == cancer), per_type, replace=False)) for cancer in TYPES]
    )
    X = pooled.X[rows]
    columns = np.argsort(-np.asarray((X != 0).sum(axis=0)).ravel(), kind="stable")[:genes]
    patients = pooled.patients.iloc[rows].reset_index(drop=True)
    y = Surv.from_arrays(patients["event"].to_numpy(bool), patients["time_days"].to_numpy(float))
    return X[:, columns].toarray().astype(np.float64), y, patients["cancer"].to_numpy()


def pairs_by_loop(event, time, groups):
    """(earlier, later) of every comparable pair of patients of the same type, by a plain double loop."""
    return [
        (i, j)
        for i, j in itertools.permutations(range(len(time)), 2)
        if groups[i] == groups[j] and event[i] and (time[i] < time[j] or (time[i] == time[j] and not event[j]))
    ]


def stratified_c_by_loop(event, time, groups, risk):
    pairs = pairs_by_loop(event, time, groups)
    concordant = sum(1.0 if risk[i] > risk[j] else 0.5 if risk[i] == risk[j] else 0.0 for i, j in pairs)
    return concordant / len(pairs)


def test_pooled_cohort_stacks_the_types_with_the_union_of_genes_by_name():
    pooled = pooled_snapshot()
    assert pooled.X.shape == (sum(aligned_cohort(c).X.shape[0] for c in TYPES), len(pooled.genes))
    assert list(pd.unique(pooled.groups)) == list(TYPES)
    outside = set(pooled.genes[pooled.n_network :])
    assert outside == {g for c in TYPES for g in aligned_cohort(c).genes[aligned_cohort(c).n_network :]}
    column = pd.Index(pooled.genes)
    start = 0
    for cancer in TYPES:
        aligned = aligned_cohort(cancer)
        block = pooled.X[start : start + aligned.X.shape[0]]
        assert np.array_equal(
            pooled.patients["patient_id"].iloc[start : start + len(block.indptr) - 1],
            snapshot_cohort(cancer).patients["patient_id"],
        )
        # every patient's mutated genes, by name, are the same in the pooled matrix
        expected = sp.csr_matrix((aligned.X.shape[0], len(pooled.genes)), dtype=np.float32).tolil()
        expected[:, column.get_indexer(aligned.genes)] = aligned.X
        assert (block != expected.tocsr()).nnz == 0
        start += aligned.X.shape[0]


def test_stratified_svm_equals_linear_svc_on_within_type_pair_differences():
    """The paper's model on pairs of the same cancer type only, pairs listed by a plain loop, against liblinear."""
    X, y, groups = small_pooled()
    pairs = np.array(pairs_by_loop(y["event"], y["time"], groups))
    C = 0.002
    D = X[pairs[:, 1]] - X[pairs[:, 0]]  # liblinear's convention: higher score = longer survival
    labels = np.ones(len(D))
    flip = np.arange(len(D)) % 2 == 1
    D[flip] *= -1
    labels[flip] = -1
    liblinear = LinearSVC(
        penalty="l1", loss="squared_hinge", dual=False, fit_intercept=False, C=C, tol=1e-10, max_iter=100000
    ).fit(D, labels)
    ours = SparseSurvivalSVM(C=C, tol=1e-9).fit(X, y, groups=groups)
    assert ours.alpha_ == pytest.approx(1 / (C * len(pairs)))
    reference = -liblinear.coef_.ravel()
    np.testing.assert_allclose(ours.coef_, reference, atol=1e-5)

    def objective(w, pairs_used):
        margins = X[pairs_used[:, 0]] @ w - X[pairs_used[:, 1]] @ w
        return np.abs(w).sum() + C * np.sum(np.maximum(0, 1 - margins) ** 2)

    # the unstratified fit compares GBM with KIRC patients too: another model, worse on the stratified objective
    plain = SparseSurvivalSVM(C=C, tol=1e-9).fit(X, y)
    assert plain.alpha_ != pytest.approx(ours.alpha_)
    assert np.abs(plain.coef_ - ours.coef_).max() > 1e-2
    assert objective(ours.coef_, pairs) < objective(plain.coef_, pairs)


def test_inner_cross_validation_fits_and_scores_within_types():
    """Each inner split: folds stratified on type x event, the path fitted on within-type pairs, stratified C."""
    X, y, groups = small_pooled()
    search = PathSearchCV(
        Pipeline([("filter", VarianceFilter(None)), ("model", SparseSurvivalSVM())]),
        {},
        path=RelativePenalties(n=3, min_ratio=0.2),
        cv=3,
        random_state=4,
    )
    result = search.evaluate({}, X, y, groups=groups)
    alpha_max = SparseSurvivalSVM().alpha_max(X, y, groups=groups)
    np.testing.assert_allclose(result.values, RelativePenalties(n=3, min_ratio=0.2).alphas(alpha_max))
    strata = [f"{g}/{e}" for g, e in zip(groups, y["event"])]
    splits = StratifiedKFold(3, shuffle=True, random_state=4).split(X, strata)
    for index, (train, valid) in enumerate(splits):
        counts = pd.Series(np.asarray(strata)[valid]).value_counts()
        totals = pd.Series(strata).value_counts()
        assert (abs(counts.reindex(totals.index, fill_value=0) - totals / 3) < 1).all()
        coefs = SparseSurvivalSVM().path(X[train], y[train], result.values, groups=groups[train])
        for position in range(len(result.values)):
            risk = X[valid] @ coefs[:, position]
            expected = stratified_c_by_loop(y["event"][valid], y["time"][valid], groups[valid], risk)
            assert result.scores[index, position] == pytest.approx(expected, abs=1e-12)
    # without groups the scores are those of the plain model: the groups change the inner CV
    assert not np.allclose(search.evaluate({}, X, y).scores, result.scores)


def test_models_without_strata_are_refused_with_the_reason():
    X, y, groups = small_pooled()
    search = PathSearchCV(Pipeline([("filter", VarianceFilter(None)), ("model", SparseCoxnet())]), {}, cv=3)
    with pytest.raises(InvalidParameterError, match="no strata"):
        search.fit(X, y, groups=groups)
    for name in ("cox_lasso", "cox_elastic_net", "gradient_boosting"):
        settings = BenchmarkSettings.from_benchmark({"model": name}, 0)
        with pytest.raises(InvalidParameterError, match="Coxnet .* have no strata"):
            check_pooled_model(name, MODELS[name].build(settings))
    check_pooled_model("survival_svm", MODELS["survival_svm"].build(BenchmarkSettings.from_benchmark({}, 0)))


def test_outer_folds_are_the_union_of_each_types_own_folds():
    """Fold (r, f) of the pooled model tests exactly the patients each type's own benchmark tests in its fold (r, f)."""
    pooled = pooled_snapshot()
    ids = pooled.patients["patient_id"].to_numpy()
    splits = pooled_outer_splits(pooled, 5, [0, 1], seed=7)
    assert [(s.repeat, s.fold) for s in splits] == [(r, f) for r in range(2) for f in range(5)]
    for cancer in TYPES:  # each type alone, as its own benchmark job draws them (evaluate_representation)
        rows = np.flatnonzero(pooled.groups == cancer)
        own = outer_splits(pooled.event[rows], 5, 2, seed=7)
        for split, alone in zip(splits, own, strict=True):
            assert (split.repeat, split.fold) == (alone.repeat, alone.fold)
            assert set(ids[split.test][pooled.groups[split.test] == cancer]) == set(ids[rows[alone.test]])
    for split in splits:  # train and test partition every patient
        assert np.array_equal(np.sort(np.concatenate([split.train, split.test])), np.arange(len(ids)))
    again = pooled_outer_splits(pooled, 5, [1], seed=7)
    assert all(np.array_equal(a.test, b.test) for a, b in zip(again, splits[5:]))
    check_pooled_deaths(pooled.event, pooled.groups, splits, inner_folds=5)
    # a published per-type split (fold table) is read for every type, patients of other types ignored
    table = pd.DataFrame({"patient_id": [*ids, "TCGA-XX-0001"], "repeat": 0, "fold": np.arange(len(ids) + 1) % 3})
    from_table = pooled_outer_splits(pooled, 3, [0], seed=7, folds_table=table, folds_source="folds.tsv")
    for split in from_table:
        assert np.array_equal(split.test, np.flatnonzero(np.arange(len(ids)) % 3 == split.fold))
    few = pooled_snapshot()
    few = type(few)(few.X, few.genes, few.n_network, few.patients.copy())
    kirc = np.flatnonzero(few.groups == "KIRC")
    few.patients.loc[kirc[2:], "event"] = False  # KIRC keeps 2 deaths, so 3 of 5 folds have none
    with pytest.raises(
        InsufficientDataError,
        match=r"^KIRC \(pooled analysis\): 2 deaths for 5 outer folds.*leave KIRC out.*survival.min_events",
    ):
        pooled_outer_splits(few, 5, [0], 0)


def test_per_type_c_equals_scikit_survival_and_the_pooled_c_is_the_stratified_one():
    """A real pooled nested CV (raw profiles, 3 folds): per type C = sksurv on the type's rows; fold C stratified."""
    pooled = pooled_snapshot()
    y = Surv.from_arrays(pooled.event, pooled.time)
    splits = pooled_outer_splits(pooled, 3, [0], seed=0)
    search = PathSearchCV(
        Pipeline([("raw", RawMutations()), ("filter", VarianceFilter(300)), ("model", SparseSurvivalSVM())]),
        {},
        path=RelativePenalties(n=3, min_ratio=0.2),
        cv=3,
    )
    ids = pooled.patients["patient_id"].to_numpy()
    results = nested_cross_validation(
        search, pooled.X, y, ids, splits, inner_seeds={(0, f): f for f in range(3)}, groups=pooled.groups, name="raw"
    )
    metrics, predictions, _ = results.tables()
    per_type = per_type_concordance(predictions, pooled.patients)
    assert len(per_type) == 3 * len(TYPES)
    for split in splits:
        risk = predictions.loc[predictions["fold"] == split.fold].set_index("patient_id")["risk"]
        totals = np.zeros(2)
        for cancer in TYPES:
            rows = split.test[pooled.groups[split.test] == cancer]
            c, concordant, discordant, tied_risk, _ = concordance_index_censored(
                pooled.event[rows], pooled.time[rows], risk.loc[ids[rows]].to_numpy()
            )
            row = per_type[(per_type["fold"] == split.fold) & (per_type["cancer"] == cancer)].iloc[0]
            assert row["harrell_c"] == pytest.approx(c, abs=1e-12)
            assert row["n_test"] == len(rows) and row["deaths_test"] == pooled.event[rows].sum()
            totals += [concordant + 0.5 * tied_risk, concordant + discordant + tied_risk]
        fold = metrics[metrics["fold"] == split.fold].iloc[0]
        assert fold["harrell_c"] == pytest.approx(totals[0] / totals[1], abs=1e-12)  # within-type pairs only
        # the refit's variance filter was fitted on the pooled training rows
        refit = search.set_params(random_state=split.fold).fit(
            pooled.X[split.train], y[split.train], groups=pooled.groups[split.train]
        )
        expected = VarianceFilter(300).fit(pooled.X[split.train]).selected_
        np.testing.assert_array_equal(refit.best_estimator_["filter"].selected_, expected)
        np.testing.assert_allclose(refit.predict(pooled.X[split.test]), risk.loc[ids[split.test]].to_numpy())


def raw_search():
    return PathSearchCV(
        Pipeline([("raw", RawMutations()), ("filter", VarianceFilter(300)), ("model", SparseSurvivalSVM())]),
        {},
        path=RelativePenalties(n=3, min_ratio=0.2),
        cv=3,
    )


def plain_benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """q_i = min over j with p_j >= p_i of p_j m / rank_j, written out."""
    m = len(p_values)
    return np.array(
        [min(min(p_j * m / (np.sum(p_values <= p_j)), 1.0) for p_j in p_values if p_j >= p) for p in p_values]
    )


def test_pooled_against_per_type_models_on_the_same_test_patients():
    """Both models on the same folds (3 folds x 2 repeats of GBM and KIRC): their C side by side, the stratified
    C of the per-type models together, intervals and the corrected paired test, against plain formulas."""
    pooled = pooled_snapshot()
    y = Surv.from_arrays(pooled.event, pooled.time)
    ids = pooled.patients["patient_id"].to_numpy()
    splits = pooled_outer_splits(pooled, 3, [0, 1], seed=0)
    seeds = {(r, f): 10 * r + f for r in range(2) for f in range(3)}
    results = nested_cross_validation(
        raw_search(), pooled.X, y, ids, splits, inner_seeds=seeds, groups=pooled.groups, name="raw"
    )
    metrics, predictions, _ = results.tables()
    per_type = per_type_concordance(predictions, pooled.patients).assign(representation="raw")
    pooled_predictions = predictions.rename(columns={"group": "cancer"}).assign(representation="raw")
    folds, type_predictions = [], []
    for cancer in TYPES:  # each type's own benchmark, as evaluate_representation runs it
        rows = np.flatnonzero(pooled.groups == cancer)
        own = outer_splits(pooled.event[rows], 3, 2, seed=0)
        result = nested_cross_validation(raw_search(), pooled.X[rows], y[rows], ids[rows], own, inner_seeds=seeds)
        table, guesses, _ = result.tables()
        folds.append(table.assign(cancer=cancer, representation="raw"))
        type_predictions.append(guesses.assign(cancer=cancer, representation="raw"))
    type_folds, type_predictions = pd.concat(folds), pd.concat(type_predictions)
    check_same_test_patients(pooled_predictions, type_predictions)
    moved = type_predictions.copy()
    first = moved.index[(moved["repeat"] == 0) & (moved["fold"] == 0)][0]
    moved.loc[moved.index == first, "fold"] = 1
    with pytest.raises(InvalidParameterError, match="repeat 0 fold .: patient .* tested by the .* model only"):
        check_same_test_patients(pooled_predictions, moved.reset_index(drop=True))

    stratified = per_type_models_stratified_c(type_predictions, pooled.patients)
    risk = type_predictions.set_index(["repeat", "fold", "patient_id"])["risk"]
    for split in splits:  # plain: concordant and comparable pairs summed over the types (scikit-survival's counts)
        totals = np.zeros(2)
        for cancer in TYPES:
            rows = split.test[pooled.groups[split.test] == cancer]
            keys = [(split.repeat, split.fold, patient) for patient in ids[rows]]
            _, concordant, discordant, tied, _ = concordance_index_censored(
                pooled.event[rows], pooled.time[rows], risk.loc[keys].to_numpy()
            )
            totals += [concordant + 0.5 * tied, concordant + discordant + tied]
        row = stratified[(stratified["repeat"] == split.repeat) & (stratified["fold"] == split.fold)].iloc[0]
        assert row["stratified_c"] == pytest.approx(totals[0] / totals[1], abs=1e-12)

    pooled_folds = metrics.rename(columns={"harrell_c": "stratified_c"}).assign(representation="raw")
    table = pooled_comparison(pooled_fold_pairs(per_type, pooled_folds, type_folds, stratified))
    assert list(table["cancer"]) == [*TYPES, POOLED_ROW]
    for row in table.itertuples():
        if row.cancer == POOLED_ROW:
            mine = pooled_folds.sort_values(["repeat", "fold"])["stratified_c"].to_numpy()
            theirs = stratified.sort_values(["repeat", "fold"])["stratified_c"].to_numpy()
            sizes = pooled_folds
        else:
            mine = per_type[per_type["cancer"] == row.cancer].sort_values(["repeat", "fold"])["harrell_c"].to_numpy()
            own = type_folds[type_folds["cancer"] == row.cancer].sort_values(["repeat", "fold"])
            theirs, sizes = own["harrell_c"].to_numpy(), own
        fraction = np.mean(sizes["n_test"] / sizes["n_train"])
        d = mine - theirs
        scale = np.sqrt((1 / 6 + fraction) * np.var(d, ddof=1))  # Nadeau-Bengio over J = 6 folds
        assert (
            row.folds == 6
            and row.pooled_c_mean == pytest.approx(mine.mean())
            and row.per_type_c_mean == pytest.approx(theirs.mean())
        )
        assert row.difference == pytest.approx(d.mean())
        assert row.statistic == pytest.approx(d.mean() / scale)
        assert row.p_value == pytest.approx(2 * (1 - stats_t.cdf(abs(d.mean() / scale), 5)))
        half = stats_t.ppf(0.975, 5) * np.sqrt((1 / 6 + fraction) * np.var(mine, ddof=1))
        assert (row.pooled_c_ci_low, row.pooled_c_ci_high) == pytest.approx((mine.mean() - half, mine.mean() + half))
    np.testing.assert_allclose(table["q_value"], plain_benjamini_hochberg(table["p_value"].to_numpy()))


@pytest.mark.parametrize("model", ["cox_lasso", "cox_elastic_net", "gradient_boosting"])
def test_pooled_with_a_model_without_strata_is_an_early_config_error(model):
    config = default_config()
    config["benchmark"].update(model=model, pooled=True)
    with pytest.raises(ConfigError) as error:
        validate_workflow_config(config, "config/config.yaml")
    assert (
        error.value.args[0]
        .splitlines()[1]
        .startswith(
            f"  benchmark.pooled: the pooled model compares patients within a cancer type only, and {model} has no strata"
        )
    )
    config["benchmark"]["pooled"] = False
    validate_workflow_config(config, "config/config.yaml")


def test_nsqn_reference_and_variance_filter_are_fitted_on_the_pooled_training_rows():
    """Representations stay per patient; NSQN's quantile reference and the filter come from every type's rows."""
    pooled = pooled_snapshot()
    rng = np.random.default_rng(1)
    rows = np.concatenate([rng.choice(np.flatnonzero(pooled.groups == c), 40, replace=False) for c in TYPES])
    X, groups = pooled.X[rows], pooled.groups[rows]
    y = Surv.from_arrays(pooled.event[rows], pooled.time[rows])
    adjacency = pathway_commons_adjacency()
    search = PathSearchCV(
        Pipeline(
            [
                ("representation", NSQN(adjacency, 0.5)),
                ("filter", VarianceFilter(200)),
                ("model", SparseSurvivalSVM()),
            ]
        ),
        {},
        path=RelativePenalties(n=2, min_ratio=0.5),
        cv=2,
        random_state=0,
    ).fit(X, y, groups=groups)
    direct = NSQN(adjacency, 0.5).fit(X)
    np.testing.assert_array_equal(search.best_estimator_["representation"].reference_, direct.reference_)
    expected = VarianceFilter(200).fit(direct.transform(X)).selected_
    np.testing.assert_array_equal(search.best_estimator_["filter"].selected_, expected)
    # per patient: a GBM patient's profile does not depend on the KIRC rows it is transformed with
    gbm = np.flatnonzero(groups == "GBM")
    alone = NSQN(adjacency, 0.5).fit(X).transform(X[gbm])
    np.testing.assert_array_equal(direct.transform(X)[gbm], alone)


def test_each_types_cached_smoothings_are_read_for_the_pooled_rows(tmp_path):
    """The pooled job reads every type's `smooth_profiles` output, stacked in the pooled order, and smooths nothing."""
    adjacency = pathway_commons_adjacency()
    cohorts, files = {}, []
    for cancer in TYPES:  # two small real cohorts: a type's first 25 patients
        aligned = aligned_cohort(cancer)
        part = AlignedMutations(aligned.X[:25], aligned.genes, aligned.n_network)
        cohorts[cancer] = (part, snapshot_cohort(cancer).patients.iloc[:25])
        for alpha in (0.3, 0.6):
            path = tmp_path / f"{cancer}_{alpha}.npy"
            np.save(path, smooth(part.X, adjacency, alpha).astype(np.float32))
            files.append(path)
    pooled = pool_cohorts(cohorts)
    memo = RowCache("test")
    register_stacked_smoothings(memo, pooled, files, [0.6, 0.3], adjacency, tmp_path)
    for alpha in (0.3, 0.6):
        read = NetworkSmoothing(adjacency, alpha, memo=memo).fit(pooled.X).transform(pooled.X)
        computed = NetworkSmoothing(adjacency, alpha).fit(pooled.X).transform(pooled.X)
        np.testing.assert_allclose(read, computed, rtol=1e-5, atol=1e-7)
    assert memo.computed_rows == 0
