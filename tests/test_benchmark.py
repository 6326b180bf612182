"""The nested-CV engine: planted signal recovered, shuffled survival not, no leakage, fold tables, summaries."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sksurv.util import Surv

from pancan.benchmark.metrics import fold_metrics, ipcw_tau
from pancan.benchmark.nested_cv import PathModel, outer_splits, run_nested_cv, splits_from_table
from pancan.benchmark.representation_specs import RepresentationSpec, build_spec
from pancan.benchmark.results_summary import combine_with_clinical, paired_wilcoxon, summarize_folds
from pancan.errors import InputFileError
from pancan.networks.gene_network import GeneNetwork
from pancan.representations import AlignedMutations

SETTINGS = {"netnorm_k": [10, 20], "smoothing_alpha": [0.5], "smoothing": {"normalization": "symmetric", "tol": 1e-6}}


def planted_cohort(n=240, p=200, module=12, seed=0):
    """Random network plus a connected module; mutating any module gene raises the hazard."""
    rng = np.random.default_rng(seed)
    rows, cols = np.nonzero(np.triu(rng.random((p, p)) < 0.03, 1))
    chain = np.arange(module)  # module genes 0..module-1 form a path plus random extra links
    rows, cols = np.concatenate([rows, chain[:-1]]), np.concatenate([cols, chain[1:]])
    genes = np.array([f"G{i:03d}" for i in range(p)], dtype=object)
    network = GeneNetwork.from_index_pairs("planted", genes, rows, cols)
    rates = np.full(p, 0.02)
    rates[:module] = 0.06
    X = (rng.random((n, p)) < rates).astype(float)
    hit = X[:, :module].sum(axis=1) > 0
    death = rng.exponential(1 / np.exp(1.6 * hit))
    censor = rng.exponential(2.0, n)
    y = Surv.from_arrays(death < censor, np.minimum(death, censor))
    return AlignedMutations(sp.csr_matrix(X), genes, p), network, y


def evaluate(name, aligned, network, y, repeats=1):
    spec = build_spec(name, aligned, {"main": network}, SETTINGS)
    splits = outer_splits(y["event"], 5, repeats, seed=7)
    ids = np.array([f"P{i}" for i in range(len(y))])
    metrics, predictions, coefficients = run_nested_cv(spec, y, ids, splits, PathModel(), inner_folds=3, seed=7,
                                                       max_features=None).tables()
    return metrics, predictions, coefficients


@pytest.mark.parametrize("name", ["raw", "netnorm"])
def test_planted_signal_is_recovered_and_shuffled_survival_is_not(name):
    aligned, network, y = planted_cohort()
    metrics, predictions, coefficients = evaluate(name, aligned, network, y)
    assert metrics["harrell_c"].mean() > 0.62, metrics["harrell_c"].tolist()
    assert len(predictions) == len(y) and predictions["patient_id"].is_unique  # each patient tested once
    module_genes = {f"G{i:03d}" for i in range(12)}
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


def test_no_fitted_step_ever_sees_test_rows():
    aligned, network, y = planted_cohort(n=150, p=60)
    features = np.column_stack([np.arange(len(y)), aligned.X.toarray()])
    seen = SEEN_BY_FIT.setdefault("leak", [])
    spec = RepresentationSpec("spy", None, [None], lambda _: features, lambda _: aligned.genes,
                              lambda: [("spy", RowSpy("leak"))])
    for split in outer_splits(y["event"], 5, 2, seed=1):
        seen.clear()
        run_nested_cv(spec, y, np.arange(len(y)).astype(str), [split], PathModel(n_penalties=3), inner_folds=3,
                      max_features=None)
        assert len(seen) == 3 + 1 + 1  # inner folds, outer penalty grid, refit
        test = set(split.test.tolist())
        assert all(not (rows & test) for rows in seen)
        assert seen[-1] == set(split.train.tolist())


def test_outer_splits_are_seeded_and_stratified():
    event = np.r_[np.ones(40, bool), np.zeros(160, bool)]
    splits = outer_splits(event, 5, 4, seed=11)
    assert len(splits) == 20 and {(s.repeat, s.fold) for s in splits} == {(r, f) for r in range(4) for f in range(5)}
    assert all(event[s.test].sum() == 8 for s in splits)
    again = outer_splits(event, 5, 4, seed=11, repeats=[2])
    assert [s.test.tolist() for s in again] == [s.test.tolist() for s in splits if s.repeat == 2]
    assert splits[0].test.tolist() != outer_splits(event, 5, 4, seed=12)[0].test.tolist()


def test_splits_from_table_reproduce_a_published_split(tmp_path):
    ids = np.array([f"P{i}" for i in range(20)])
    table = pd.DataFrame({"patient_id": ids, "repeat": 0, "fold": np.arange(20) % 4})
    splits = splits_from_table(table, ids, "folds.tsv")
    assert [s.test.tolist() for s in splits] == [list(range(f, 20, 4)) for f in range(4)]
    with pytest.raises(InputFileError, match="folds.tsv: repeat 0 assigns no fold to 1 cohort patient"):
        splits_from_table(table.iloc[1:], ids, "folds.tsv")
    with pytest.raises(InputFileError, match="lacks column"):
        splits_from_table(table.drop(columns="fold"), ids, "folds.tsv")


def test_ipcw_tau_keeps_uno_c_computable():
    rng = np.random.default_rng(0)
    time = rng.exponential(10, 200)
    event = rng.random(200) < 0.6
    y = Surv.from_arrays(event, time)
    order = np.argsort(time)
    train, test = order[:150], order[100:]  # test extends beyond the last training time
    risk = -time[test] + rng.normal(0, 3, len(test))
    tau = ipcw_tau(y[train], y[test])
    assert tau <= time[train].max()
    metrics = fold_metrics(y[train], y[test], risk)
    assert 0.5 < metrics["uno_c"] <= 1 and metrics["uno_tau"] == tau


def test_combination_and_summaries():
    rng = np.random.default_rng(0)
    ids = np.array([f"P{i}" for i in range(100)])
    time = rng.exponential(10, 100)
    survival = pd.DataFrame({"patient_id": ids, "time_days": time, "event": (rng.random(100) < 0.7).astype(int)})
    folds = np.arange(100) % 5
    mutation = pd.DataFrame({"repeat": 0, "fold": folds, "patient_id": ids, "risk": -time + rng.normal(0, 5, 100)})
    clinical = pd.DataFrame({"repeat": 0, "fold": folds, "patient_id": ids, "risk": -time + rng.normal(0, 5, 100)})
    combined = combine_with_clinical(mutation, clinical, survival, "x+clinical")
    assert len(combined) == 5 and combined["harrell_c"].between(0.5, 1).all()
    with pytest.raises(ValueError, match="same test folds"):
        combine_with_clinical(mutation, clinical.iloc[:50], survival, "x+clinical")
    table = pd.DataFrame({
        "cancer": "T", "repeat": 0, "fold": np.tile(np.arange(10), 2),
        "representation": np.repeat(["a", "b"], 10),
        "harrell_c": np.r_[np.linspace(0.6, 0.7, 10), np.linspace(0.5, 0.55, 10)],
        "uno_c": 0.5, "n_selected": 3,
    })
    summary = summarize_folds(table).set_index("representation")
    assert summary.loc["a", "harrell_c_mean"] == pytest.approx(0.65) and summary.loc["a", "folds"] == 10
    tests = paired_wilcoxon(table, [["a", "b"], ["a", "missing"]])
    assert len(tests) == 1 and tests.loc[0, "p_value"] < 0.01 and tests.loc[0, "mean_difference"] > 0
