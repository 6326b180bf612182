"""Paired comparisons: the corrected resampled t-test, Benjamini-Hochberg q-values, the pan-cancer tests."""

import zlib

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pancan.benchmark.comparisons import (
    across_cancer_tests,
    corrected_resampled_ttest,
    paired_tests,
    pan_cancer_summary,
    within_cancer_tests,
)


def test_corrected_resampled_ttest_by_hand():
    d = np.array([0.02, 0.05, -0.01, 0.04, 0.03, 0.00, 0.06, 0.02, 0.01, 0.03])  # 5 folds x 2 repeats
    mean, var, J = d.mean(), d.var(ddof=1), len(d)
    t_hand = mean / np.sqrt((1 / J + 20 / 80) * var)  # n_test / n_train = 1/4 for 5-fold CV
    t, df, p = corrected_resampled_ttest(d, 0.25)
    assert t == pytest.approx(t_hand) and df == 9 and p == pytest.approx(2 * stats.t.sf(abs(t_hand), 9))
    naive = stats.ttest_1samp(d, 0).pvalue
    assert p > naive  # the correction widens the variance: the naive test over overlapping folds is anti-conservative
    assert np.isnan(corrected_resampled_ttest(d[:1], 0.25)[2])


def folds_for(differences_by_cancer: dict, n_folds: int = 5, repeats: int = 2) -> pd.DataFrame:
    rows = []
    for cancer, shift in differences_by_cancer.items():
        rng = np.random.default_rng(zlib.crc32(cancer.encode()))  # not hash(): it changes with PYTHONHASHSEED
        for repeat in range(repeats):
            for fold in range(n_folds):
                base = 0.55 + rng.normal(0, 0.02)
                rows += [
                    {
                        "cancer": cancer,
                        "representation": "a",
                        "repeat": repeat,
                        "fold": fold,
                        "n_train": 80,
                        "n_test": 20,
                        "harrell_c": base + shift + rng.normal(0, 0.01),
                    },
                    {
                        "cancer": cancer,
                        "representation": "b",
                        "repeat": repeat,
                        "fold": fold,
                        "n_train": 80,
                        "n_test": 20,
                        "harrell_c": base,
                    },
                ]
    return pd.DataFrame(rows)


def test_q_values_are_benjamini_hochberg_over_every_test_of_the_run():
    folds = folds_for({"T1": 0.05, "T2": 0.0, "T3": -0.02, "T4": 0.03, "T5": 0.04, "T6": 0.02})
    tests = paired_tests(folds, [["a", "b"]])
    assert list(tests["scope"]) == ["T1", "T2", "T3", "T4", "T5", "T6", "pan-cancer"]
    p = tests["p_value"].to_numpy()
    m = len(p)
    order = np.argsort(p)
    # Benjamini-Hochberg written out: q_(i) = min over j >= i of p_(j) m / j
    q_sorted = np.minimum.accumulate((p[order] * m / np.arange(1, m + 1))[::-1])[::-1]
    expected = np.empty(m)
    expected[order] = np.minimum(q_sorted, 1)
    np.testing.assert_allclose(tests["q_value"], expected)
    within = within_cancer_tests(folds, [["a", "b"]]).set_index("scope")
    assert within.loc["T1", "mean_difference"] == pytest.approx(0.05, abs=0.01) and within.loc["T1", "df"] == 9


def test_pan_cancer_test_says_when_it_cannot_reach_significance():
    three = across_cancer_tests(folds_for({"T1": 0.05, "T2": 0.04, "T3": 0.03}), [["a", "b"]]).iloc[0]
    # all three types favour a: the smallest two-sided exact p with 3 pairs is 2 / 2^3
    assert three["p_value"] == pytest.approx(0.25) and three["min_attainable_p"] == pytest.approx(0.25)
    assert three["note"] == "cannot reach p < 0.05 with 3 cancer type(s)"
    seven = across_cancer_tests(folds_for({f"T{i}": 0.03 + 0.01 * i for i in range(7)}), [["a", "b"]]).iloc[0]
    assert seven["p_value"] == pytest.approx(2 / 2**7) and seven["note"] == ""


def test_pan_cancer_mean_ranks():
    folds = folds_for({"T1": 0.05, "T2": -0.05, "T3": 0.05})
    table = pan_cancer_summary(folds).set_index("representation")
    assert table.loc["a", "mean_rank"] == pytest.approx((1 + 2 + 1) / 3, abs=1e-4)  # table rounded to 4 decimals
    assert table.loc["b", "mean_rank"] == pytest.approx((2 + 1 + 2) / 3, abs=1e-4)
    assert table.loc["a", "cancer_types"] == 3
