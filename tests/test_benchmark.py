"""The nested-CV engine: planted signal recovered, shuffled survival not, no leakage, fold tables, summaries."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy import stats
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import Pipeline
from sksurv.util import Surv

from pancan import config_schema
from pancan.benchmark.feature_steps import VarianceFilter
from pancan.benchmark.metrics import check_uno_truncation, fold_metrics, uno_truncation
from pancan.benchmark.nested_cv import check_deaths, nested_cross_validation, outer_splits, splits_from_table
from pancan.benchmark.protocol import BenchmarkSettings, benchmark_search
from pancan.benchmark.results_summary import combine_with_clinical, summarize_folds
from pancan.benchmark.settings import job_setting_keys
from pancan.config_validation import ConfigError
from pancan.errors import InputFileError, InsufficientDataError, InvalidParameterError
from pancan.models import SparseSurvivalSVM, harrell_cindex
from pancan.models.coxnet import SparseCoxnet
from pancan.models.path_search import PathSearchCV, RelativePenalties
from pancan.models.registry import MODELS, Model
from pancan.networks.gene_network import GeneNetwork
from pancan.representations import AlignedMutations, NetworkAdjacency
from pancan.representations.registry import REGISTRY, Representation, RepresentationContext

SETTINGS = BenchmarkSettings.from_benchmark(
    {"netnorm_k": [10, 20], "smoothing_alpha": [0.5], "inner_folds": 3, "max_features": 0}, seed=7
)


def planted_cohort(n=240, p=200, module=16, seed=0):
    """Random network plus a connected module; mutating any module gene raises the hazard.

    The module's genes sit at random positions of the gene order, so that no tie rule is
    favoured by where they fall (the original NetNorM ties go to later genes).
    """
    rng = np.random.default_rng(seed)
    rows, cols = np.nonzero(np.triu(rng.random((p, p)) < 0.03, 1))
    members = np.sort(rng.choice(p, module, replace=False))  # a path through them plus random extra links
    rows, cols = np.concatenate([rows, members[:-1]]), np.concatenate([cols, members[1:]])
    genes = np.array([f"G{i:03d}" for i in range(p)], dtype=object)
    network = GeneNetwork.from_index_pairs("planted", genes, rows, cols)
    rates = np.full(p, 0.02)
    rates[members] = 0.06
    X = (rng.random((n, p)) < rates).astype(float)
    hit = X[:, members].sum(axis=1) > 0
    death = rng.exponential(1 / np.exp(2.0 * hit))
    censor = rng.exponential(2.0, n)
    y = Surv.from_arrays(death < censor, np.minimum(death, censor))
    return AlignedMutations(sp.csr_matrix(X), genes, p), network, y, members


def evaluate(name, aligned, network, y, repeats=1, log_name=""):
    context = RepresentationContext(NetworkAdjacency(network.adjacency), aligned.n_network)
    search = benchmark_search(name, SETTINGS, context)
    splits = outer_splits(y["event"], 5, repeats, seed=7)
    ids = np.array([f"P{i}" for i in range(len(y))])
    seeds = {(s.repeat, s.fold): SETTINGS.inner_seed_for(s.repeat, s.fold) for s in splits}
    results = nested_cross_validation(
        search, aligned.X, y, ids, splits, inner_seeds=seeds, feature_names=aligned.genes, name=log_name
    )
    return results.tables()


def test_a_long_inner_cross_validation_logs_its_progress_fold_by_fold(monkeypatch, caplog):
    """With no time between reports, every outer fold but a grid value's last says it is done; the last is the
    grid value's own line."""
    import pancan.benchmark.nested_cv as nested_cv

    monkeypatch.setattr(nested_cv, "PROGRESS_SECONDS", 0.0)
    aligned, network, y, _members = planted_cohort(n=120, p=60)
    caplog.set_level("INFO", logger="pancan.benchmark.nested_cv")
    evaluate("raw", aligned, network, y, log_name="raw")
    lines = [r.getMessage() for r in caplog.records if r.name == "pancan.benchmark.nested_cv"]
    progress = [line for line in lines if "inner CV of" in line]
    assert progress == [f"raw: grid value 1/1, inner CV of {done}/5 outer folds done" for done in range(1, 5)]
    assert lines.index(progress[-1]) < next(i for i, line in enumerate(lines) if "done for 5 outer folds" in line)


@pytest.mark.parametrize("name", ["raw", "netnorm"])
def test_planted_signal_is_recovered_and_shuffled_survival_is_not(name):
    aligned, network, y, members = planted_cohort()
    metrics, predictions, coefficients = evaluate(name, aligned, network, y)
    # the planted indicator itself (an oracle) reaches C = 0.67; the learned model must recover at least 40% of
    # its margin over chance (measured over 5 seeds: 0.56-0.67 for raw and NetNorM against oracles of 0.66-0.70)
    oracle = harrell_cindex(y, (np.asarray(aligned.X[:, members].sum(axis=1)).ravel() > 0).astype(float))
    assert metrics["harrell_c"].mean() > 0.5 + 0.4 * (oracle - 0.5), (metrics["harrell_c"].tolist(), oracle)
    assert len(predictions) == len(y) and predictions["patient_id"].is_unique  # each patient tested once
    module_genes = set(aligned.genes[members])
    assert coefficients.loc[coefficients["coefficient"] > 0, "feature"].isin(module_genes).mean() > 0.3
    shuffled = y[np.random.default_rng(3).permutation(len(y))]
    null_metrics, _, _ = evaluate(name, aligned, network, shuffled)
    assert abs(null_metrics["harrell_c"].mean() - 0.5) < 0.07, null_metrics["harrell_c"].tolist()


SEEN_BY_FIT: dict[str, list[set]] = {}


class RowSpy(TransformerMixin, BaseEstimator):
    """Records which patients (column 0 holds the row number) every fit saw.

    Records go to a module-level registry: clone() deep-copies parameters, so a
    list passed as a parameter would not be shared.
    """

    def __init__(self, key: str = "spy"):
        self.key = key

    def fit(self, X, y=None):
        SEEN_BY_FIT.setdefault(self.key, []).append(set(np.asarray(X)[:, 0].astype(int)))
        return self

    def transform(self, X):
        return np.asarray(X)[:, 1:]

    def get_feature_names_out(self, input_features=None):
        return np.asarray(input_features[1:], dtype=object)


def test_no_fitted_step_ever_sees_test_rows():
    aligned, _network, y, _members = planted_cohort(n=150, p=60)
    features = np.column_stack([np.arange(len(y)), aligned.X.toarray()])
    seen = SEEN_BY_FIT.setdefault("leak", [])
    search = PathSearchCV(
        Pipeline(
            [("representation", RowSpy("leak")), ("filter", VarianceFilter(None)), ("model", SparseSurvivalSVM())]
        ),
        path=RelativePenalties(3),
        cv=3,
    )
    names = np.array(["row", *aligned.genes], dtype=object)
    for split in outer_splits(y["event"], 5, 2, seed=1):
        seen.clear()
        nested_cross_validation(search, features, y, np.arange(len(y)).astype(str), [split], feature_names=names)
        assert len(seen) == 1 + 3  # the outer training part (penalty grid, reused by the refit), then inner folds
        test = set(split.test.tolist())
        assert all(not (rows & test) for rows in seen)
        assert seen[0] == set(split.train.tolist())


def test_nested_cv_gives_what_the_search_gives_fold_by_fold():
    """The workflow's grid-major order changes nothing: each fold equals PathSearchCV.fit on its training part."""
    aligned, network, y, _members = planted_cohort(n=160, p=80, seed=2)
    context = RepresentationContext(NetworkAdjacency(network.adjacency), aligned.n_network)
    metrics, predictions, _ = evaluate("netnorm", aligned, network, y)
    for split in outer_splits(y["event"], 5, 1, seed=7):
        search = benchmark_search("netnorm", SETTINGS, context, random_state=SETTINGS.inner_seed_for(0, split.fold))
        risk = search.fit(aligned.X[split.train], y[split.train]).predict(aligned.X[split.test])
        fold = predictions[predictions["fold"] == split.fold]
        np.testing.assert_array_equal(fold["risk"].to_numpy(), risk)
        row = metrics[metrics["fold"] == split.fold].iloc[0]
        assert row["parameter_value"] == search.best_params_["representation__k"]
        assert row["penalty"] == search.best_path_value_


def test_outer_splits_are_seeded_and_stratified():
    event = np.r_[np.ones(40, bool), np.zeros(160, bool)]
    splits = outer_splits(event, 5, 4, seed=11)
    assert len(splits) == 20 and {(s.repeat, s.fold) for s in splits} == {(r, f) for r in range(4) for f in range(5)}
    assert all(event[s.test].sum() == 8 for s in splits)
    again = outer_splits(event, 5, 4, seed=11, repeats=[2])
    assert [s.test.tolist() for s in again] == [s.test.tolist() for s in splits if s.repeat == 2]
    assert splits[0].test.tolist() != outer_splits(event, 5, 4, seed=12)[0].test.tolist()


def test_too_few_deaths_for_the_folds_is_an_early_error():
    event = np.r_[np.ones(4, bool), np.zeros(40, bool)]
    with pytest.raises(InsufficientDataError, match="4 deaths for 5 outer folds: .* lower benchmark.outer_folds"):
        outer_splits(event, 5, 1, seed=0)
    # one death: no fold setting can help, and the message does not pretend it can
    with pytest.raises(InsufficientDataError, match=r"1 death\(s\) among 44 patients: .* \(survival.endpoint\)"):
        outer_splits(np.r_[True, np.zeros(43, bool)], 5, 1, seed=0)
    # 10 patients, 5 deaths, the default 5 x 5 folds: each outer training part holds 4 deaths for 5 inner folds
    event = np.r_[np.ones(5, bool), np.zeros(5, bool)]
    splits = outer_splits(event, 5, 1, seed=0)
    check_deaths(event, splits, "GBM")  # the outer folds alone are fine
    message = (
        "GBM: repeat 0 fold 0 has 4 death(s) in its training part, fewer than benchmark.inner_folds (5): every inner "
        "fold needs a death; lower benchmark.inner_folds (to 4 or fewer) or benchmark.outer_folds"
    )
    with pytest.raises(InsufficientDataError) as error:
        check_deaths(event, splits, "GBM", inner_folds=5)
    assert str(error.value) == message
    check_deaths(event, splits, "GBM", inner_folds=4)


def test_splits_from_table_reproduce_a_published_split(caplog):
    ids = np.array([f"P{i}" for i in range(20)])
    table = pd.DataFrame({"patient_id": ids, "repeat": 0, "fold": np.arange(20) % 4})
    splits = splits_from_table(table, ids, "folds.tsv", n_folds=4)
    assert [s.test.tolist() for s in splits] == [list(range(f, 20, 4)) for f in range(4)]
    assert all(np.array_equal(np.sort(np.r_[s.train, s.test]), np.arange(20)) for s in splits)
    with pytest.raises(InputFileError, match="folds.tsv: repeat 0 assigns no fold to 1 cohort patient\\(s\\), e.g. P0"):
        splits_from_table(table.iloc[1:], ids, "folds.tsv")
    with pytest.raises(InputFileError, match="lacks column"):
        splits_from_table(table.drop(columns="fold"), ids, "folds.tsv")
    with pytest.raises(InputFileError, match="patient P3 is in more than one fold of repeat 0"):
        splits_from_table(pd.concat([table, table.iloc[[3]].assign(fold=0)]), ids, "folds.tsv")
    with pytest.raises(InputFileError, match="repeat 0 has 4 folds, benchmark.outer_folds is 5"):
        splits_from_table(table, ids, "folds.tsv", n_folds=5)
    with pytest.raises(
        InputFileError, match="no fold for repeat 1 \\(the file has repeat\\(s\\) 0\\); lower benchmark.outer_repeats"
    ):
        splits_from_table(table, ids, "folds.tsv", repeats=[1])
    stranger = pd.DataFrame({"patient_id": ["X1", "X2"], "repeat": 0, "fold": 4})
    with pytest.raises(InputFileError, match="repeat 0 fold 4 holds no patient of the cohort"):
        splits_from_table(pd.concat([table, stranger]), ids, "folds.tsv")
    with caplog.at_level("WARNING"):
        splits_from_table(pd.concat([table, stranger.assign(fold=1)]), ids, "folds.tsv")
    assert "2 patient(s) are not in the cohort and are ignored, e.g. X1" in caplog.text


def test_uno_c_is_truncated_at_one_time_per_cancer():
    rng = np.random.default_rng(0)
    time = rng.exponential(1000, 300)
    event = rng.random(300) < 0.6
    y = Surv.from_arrays(event, time)
    assert uno_truncation(time, years=2) == 2 * 365.25
    assert uno_truncation(time, quantile=0.8) == pytest.approx(np.quantile(time, 0.8))
    train, test = np.arange(200), np.arange(200, 300)
    risk = -time[test] + rng.normal(0, 300, 100)
    tau = uno_truncation(time, quantile=0.8)
    for truncation in (tau, np.quantile(time, 0.5)):
        metrics = fold_metrics(y[train], y[test], risk, truncation)
        expected = plain_uno_c(event[train], time[train], event[test], time[test], risk, truncation)
        assert metrics["uno_c"] == pytest.approx(expected, abs=1e-12) and metrics["uno_tau_days"] == truncation
    assert fold_metrics(y[train], y[test], risk, tau)["uno_c"] != metrics["uno_c"]  # the truncation matters
    # a truncation before the first death compares no pair: refused before any fit, with the day of that death
    first = time[event].min()
    check_uno_truncation(first, time, event, "OV")
    with pytest.raises(InvalidParameterError, match=rf"OV: .* at day 0, before the first death \(day {first:.0f}\)"):
        check_uno_truncation(0.4, time, event, "OV")


def plain_uno_c(train_event, train_time, test_event, test_time, risk, tau):
    """Uno's C written out: test pairs whose earlier time is a death before tau, each weighted by 1 / G(T_i)^2,
    G the Kaplan-Meier estimate of the censoring distribution on the training patients; risk ties count 1/2."""

    def censoring_survival(t):
        survival = 1.0
        for u in np.unique(train_time[~train_event]):
            if u > t:
                break
            survival *= 1 - np.sum((train_time == u) & ~train_event) / np.sum(train_time >= u)
        return survival

    concordant = comparable = 0.0
    for i in range(len(test_time)):
        if not test_event[i] or test_time[i] >= tau:
            continue
        weight = 1 / censoring_survival(test_time[i]) ** 2
        for j in range(len(test_time)):
            if test_time[j] > test_time[i]:
                comparable += weight
                concordant += weight * (1.0 if risk[i] > risk[j] else 0.5 if risk[i] == risk[j] else 0.0)
    return concordant / comparable


def test_combination_and_summaries():
    rng = np.random.default_rng(0)
    ids = np.array([f"P{i}" for i in range(100)])
    time = rng.exponential(10, 100)
    survival = pd.DataFrame({"patient_id": ids, "time_days": time, "event": (rng.random(100) < 0.7).astype(int)})
    folds = np.arange(100) % 5
    mutation = pd.DataFrame({"repeat": 0, "fold": folds, "patient_id": ids, "risk": -time + rng.normal(0, 5, 100)})
    clinical = pd.DataFrame({"repeat": 0, "fold": folds, "patient_id": ids, "risk": -time + rng.normal(0, 5, 100)})
    combined = combine_with_clinical(mutation, clinical, survival, "x+clinical", tau=8.0)
    assert len(combined) == 5 and (combined["uno_tau_days"] == 8.0).all()
    # fold 0 by hand: the mean of the two models' ranks, scored by scikit-survival
    from scipy.stats import rankdata
    from sksurv.metrics import concordance_index_censored

    test = folds == 0
    average = rankdata(mutation["risk"][test]) + rankdata(clinical["risk"][test])
    expected = concordance_index_censored(survival["event"][test].astype(bool), time[test], average)[0]
    assert combined.loc[combined["fold"] == 0, "harrell_c"].item() == pytest.approx(expected)
    with pytest.raises(ValueError, match="same test folds"):
        combine_with_clinical(mutation, clinical.iloc[:50], survival, "x+clinical")
    table = pd.DataFrame(
        {
            "cancer": "T",
            "repeat": 0,
            "fold": np.tile(np.arange(10), 2),
            "representation": np.repeat(["a", "b"], 10),
            "harrell_c": np.r_[np.linspace(0.6, 0.7, 10), np.linspace(0.5, 0.55, 10)],
            "uno_c": 0.5,
            "n_selected": 3,
            "n_train": 80,
            "n_test": 20,
        }
    )
    summary = summarize_folds(table.assign(uno_tau_days=900.0)).set_index("representation")
    values = np.linspace(0.6, 0.7, 10)
    assert summary.loc["a", "harrell_c_mean"] == pytest.approx(0.65) and summary.loc["a", "folds"] == 10
    assert summary.loc["a", "harrell_c_sd"] == pytest.approx(values.std(ddof=1), rel=1e-12)
    # 95% interval of the mean with the Nadeau-Bengio variance (1/10 + 20/80) s^2 and 9 degrees of freedom
    low, high = stats.t.interval(0.95, 9, loc=values.mean(), scale=np.sqrt((0.1 + 0.25) * values.var(ddof=1)))
    assert summary.loc["a", ["harrell_c_ci_low", "harrell_c_ci_high"]].tolist() == pytest.approx([low, high])
    assert summary.loc["a", ["uno_c_ci_low", "uno_c_ci_high"]].tolist() == pytest.approx([0.5, 0.5])  # constant


def test_no_network_gene_and_no_covariate_are_named_errors():
    from pancan.benchmark.clinical_table import clinical_covariates
    from pancan.data.cohort import Cohort
    from pancan.representations import align_to_network

    aligned, network, y, _ = planted_cohort(n=20, p=30)
    patients = pd.DataFrame(
        {"patient_id": [f"P{i}" for i in range(20)], "time_days": y["time"], "event": y["event"], "n_mutations": 1}
    )
    lower = Cohort(
        "LUAD",
        patients,
        np.array([g.lower() for g in aligned.genes], dtype=object),
        aligned.X,
        patients[["patient_id"]].assign(stage=np.nan),
    )
    with pytest.raises(
        InsufficientDataError, match="LUAD: none of the 30 mutated genes .* is a gene of network planted"
    ):
        align_to_network(lower, network)
    with pytest.raises(
        InsufficientDataError,
        match="LUAD: benchmark.clinical is on but the cohort has none of the covariates age_at_diagnosis_years, gender",
    ):
        clinical_covariates(lower, ["age_at_diagnosis_years", "gender"])


class MutatedNeighbours(TransformerMixin, BaseEstimator):
    """Toy representation for the registry test: each gene's number of mutated network neighbours, capped."""

    def __init__(self, adjacency=None, cap: int = 1):
        self.adjacency = adjacency
        self.cap = cap

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.minimum((sp.csr_matrix(X) @ self.adjacency.matrix).toarray(), self.cap)


@pytest.fixture
def toy_representation():
    """A representation with its own grid setting, added to the registry for one test."""
    entry = Representation(
        "mutated_neighbours",
        "mutated neighbours",
        "#7f3b08",
        lambda context, settings: MutatedNeighbours(context.adjacency),
        parameter="cap",
        grid_key="neighbour_cap",
        network="main",
        adjacency=True,
        declares={
            "neighbour_cap": {
                "type": "array",
                "items": {"type": "integer", "minimum": 1},
                "default": [1, 3],
                "description": "Caps searched by mutated_neighbours.",
            }
        },
    )
    REGISTRY.add(entry)
    config_schema.refresh()
    yield entry
    REGISTRY.remove(entry.name)
    config_schema.refresh()


def test_a_representation_added_to_the_registry_reaches_schema_jobs_and_engine(toy_representation):
    aligned, network, y, _ = planted_cohort(n=120, seed=3)
    # the config schema knows its name and its own setting, with the default it declares
    benchmark = config_schema.workflow_schema()["properties"]["benchmark"]["properties"]
    assert "mutated_neighbours" in benchmark["representations"]["items"]["enum"]
    assert benchmark["neighbour_cap"]["default"] == [1, 3]
    config = {"benchmark": {"representations": ["mutated_neighbours"], "comparisons": [], "neighbour_cap": [2, 5]}}
    assert config_schema.validate_workflow_config(config)["benchmark"]["neighbour_cap"] == [2, 5]
    with pytest.raises(ConfigError, match=r"benchmark\.neighbour_cap\[0\]: 0 is less than the minimum of 1"):
        config_schema.validate_workflow_config({"benchmark": {"neighbour_cap": [0]}})
    # its jobs depend on its setting, and no other job does
    assert "neighbour_cap" in job_setting_keys("mutated_neighbours", "survival_svm")
    assert "neighbour_cap" not in job_setting_keys("netnorm", "survival_svm")
    assert "netnorm_k" not in job_setting_keys("mutated_neighbours", "survival_svm")
    # the engine searches its grid
    settings = BenchmarkSettings.from_benchmark({"neighbour_cap": [1, 3], "inner_folds": 3, "max_features": 0}, 7)
    context = RepresentationContext(NetworkAdjacency(network.adjacency), aligned.n_network)
    search = benchmark_search("mutated_neighbours", settings, context, random_state=0)
    assert search.param_grid == {"representation__cap": [1, 3]}
    search.fit(aligned.X[:90], y[:90])
    cap = search.best_params_["representation__cap"]
    assert cap in (1, 3) and search.cv_results_["mean_test_score"].shape == (2 * 6,)
    # the fitted transformer saw the network: its features are the plainly counted mutated neighbours
    dense_network = (network.adjacency.toarray() != 0).astype(float)
    expected = np.minimum(aligned.X[90:].toarray() @ dense_network, cap)
    transformed = search.best_estimator_.named_steps["representation"].transform(aligned.X[90:])
    np.testing.assert_array_equal(transformed, expected)
    assert search.predict(aligned.X[90:]).shape == (30,)
    with pytest.raises(Exception, match="needs the main network's adjacency"):
        benchmark_search("mutated_neighbours", settings, RepresentationContext(None, aligned.n_network))


def test_a_model_added_to_the_registry_reaches_schema_jobs_and_engine():
    entry = Model(
        "cox_ridge_like",
        "Cox, mostly ridge",
        lambda settings: SparseCoxnet(l1_ratio=settings.section["ridge_mix"]),
        lambda settings: RelativePenalties(3, 0.1),
        settings=("ridge_mix",),
        declares={"ridge_mix": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.1}},
    )
    MODELS.add(entry)
    config_schema.refresh()
    try:
        benchmark = config_schema.workflow_schema()["properties"]["benchmark"]["properties"]
        assert "cox_ridge_like" in benchmark["model"]["enum"] and benchmark["ridge_mix"]["default"] == 0.1
        assert "ridge_mix" in job_setting_keys("raw", "cox_ridge_like")
        assert "ridge_mix" not in job_setting_keys("raw", "survival_svm")
        assert "penalties" not in job_setting_keys("raw", "cox_ridge_like")
        settings = BenchmarkSettings.from_benchmark({"model": "cox_ridge_like", "ridge_mix": 0.2, "max_features": 0}, 1)
        aligned, _, y, _ = planted_cohort(n=120, seed=4)
        search = benchmark_search("raw", settings, RepresentationContext(None, aligned.n_network), random_state=0)
        assert search.estimator[-1].l1_ratio == 0.2 and search.path == RelativePenalties(3, 0.1)
        search.fit(aligned.X[:90], y[:90])
        assert search.path_length_ == 3 and search.best_path_value_ > 0
    finally:
        MODELS.entries.pop(entry.name)
        MODELS.declared.pop("ridge_mix")
        config_schema.refresh()


def test_netnorm_k_beyond_the_network_is_refused_before_any_fit():
    aligned, network, _y, _ = planted_cohort(n=30, p=40)
    settings = BenchmarkSettings.from_benchmark({"netnorm_k": [10, 50]}, seed=0)
    context = RepresentationContext(NetworkAdjacency(network.adjacency), aligned.n_network)
    with pytest.raises(InvalidParameterError, match="benchmark.netnorm_k: k = 50 exceeds the 40 genes of the network"):
        benchmark_search("netnorm", settings, context)
    benchmark_search("netnorm", BenchmarkSettings.from_benchmark({"netnorm_k": [10, 40]}, seed=0), context)
