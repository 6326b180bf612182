"""Paired comparisons of representations: within a cancer type over repeated CV folds, and across cancer types.

* Within a cancer type, the outer folds of repeated k-fold cross-validation share most of
  their training patients, so their C-indices are not independent and a Wilcoxon or plain
  t-test over them is anti-conservative. The corrected repeated k-fold cross-validation
  t-test (Nadeau and Bengio 2003, in Bouckaert and Frank's 2004 form) inflates the
  variance of the mean fold difference by n_test / n_train:
      t = mean(d) / sqrt((1/J + n_test/n_train) var(d)),  df = J - 1,  J = k x r folds.
  It uses every fold (a test on the r per-repeat means would have r - 1 = 3 degrees of
  freedom) while accounting for their overlap.
* Across cancer types (the NetNorM paper's headline), each type contributes one mean C per
  representation: a Wilcoxon signed-rank test over the types, exact, and the mean rank of
  each representation across types.
* Every p-value of a run is adjusted together (Benjamini-Hochberg q-values), and each
  test states the smallest p-value it could reach, so that "not significant" is not
  mistaken for "no difference" when the design cannot reach p < 0.05.

scipy.stats is imported by the functions that test: the Snakefile reads `configured_comparisons`
at every start, and importing scipy.stats there would slow every Snakemake command.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FOLD_KEY = ["repeat", "fold"]
TEST_COLUMNS = [
    "scope",
    "first",
    "second",
    "metric",
    "test",
    "n",
    "mean_difference",
    "statistic",
    "df",
    "p_value",
    "min_attainable_p",
    "q_value",
    "note",
]


def configured_comparisons(benchmark: dict) -> list[list[str]]:
    """The pairs a run tests: `benchmark.comparisons`, and each mutation + clinical combination against the
    clinical model alone (`benchmark.clinical_comparisons`), so that both enter the same BH family."""
    pairs = [list(pair) for pair in benchmark["comparisons"]]
    if benchmark["clinical"] and benchmark["clinical_comparisons"]:
        pairs += [[f"{name}+clinical", "clinical"] for name in benchmark["representations"]]
    return pairs


def corrected_variance(values: np.ndarray, test_fraction: float) -> float:
    """Variance of the mean of repeated k-fold CV values, corrected for their overlap (Nadeau and Bengio 2003):
    (1/J + n_test/n_train) x the sample variance of the J fold values."""
    values = np.asarray(values, dtype=float)
    return (1.0 / len(values) + test_fraction) * values.var(ddof=1)


def corrected_interval(values: np.ndarray, test_fraction: float, level: float = 0.95) -> tuple[float, float]:
    """Interval of the mean of J fold values with the corrected variance and J - 1 degrees of freedom (NaN below 2)."""
    from scipy import stats

    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return np.nan, np.nan
    half = stats.t.ppf(0.5 + level / 2, len(values) - 1) * np.sqrt(corrected_variance(values, test_fraction))
    return float(values.mean() - half), float(values.mean() + half)


def mean_with_interval(values: np.ndarray, test_fraction: float, prefix: str) -> dict:
    """{prefix}_mean, _sd, _ci_low, _ci_high of fold values (NaN where too few), with `corrected_interval`."""
    values = np.asarray(values, dtype=float)
    low, high = corrected_interval(values, test_fraction)
    return {
        f"{prefix}_mean": values.mean() if len(values) else np.nan,
        f"{prefix}_sd": values.std(ddof=1) if len(values) > 1 else np.nan,
        f"{prefix}_ci_low": low,
        f"{prefix}_ci_high": high,
    }


def corrected_resampled_ttest(differences: np.ndarray, test_fraction: float) -> tuple[float, float, float]:
    """(t, df, two-sided p) of the corrected repeated k-fold CV t-test; test_fraction = n_test / n_train."""
    from scipy import stats

    differences = np.asarray(differences, dtype=float)
    folds = len(differences)
    if folds < 2:
        return np.nan, np.nan, np.nan
    variance = corrected_variance(differences, test_fraction)
    mean = differences.mean()
    if variance == 0:
        return (np.inf * np.sign(mean) if mean else np.nan), folds - 1.0, (0.0 if mean else 1.0)
    t = mean / np.sqrt(variance)
    return float(t), folds - 1.0, float(2 * stats.t.sf(abs(t), folds - 1))


def within_cancer_tests(folds: pd.DataFrame, comparisons: list[list[str]], metric: str = "harrell_c") -> pd.DataFrame:
    """Corrected resampled t-test of `metric` between two representations over the same outer folds, per cancer."""
    rows = []
    for cancer, per_cancer in folds.groupby("cancer", sort=True):
        wide = per_cancer.pivot_table(index=FOLD_KEY, columns="representation", values=metric)
        sizes = per_cancer.groupby(FOLD_KEY)[["n_train", "n_test"]].first()
        for first, second in comparisons:
            if first not in wide.columns or second not in wide.columns:
                continue
            pair = wide[[first, second]].dropna()
            difference = (pair[first] - pair[second]).to_numpy()
            fraction = float((sizes.loc[pair.index, "n_test"] / sizes.loc[pair.index, "n_train"]).mean())
            t, df, p = corrected_resampled_ttest(difference, fraction)
            note = "one fold: no test" if len(pair) < 2 else ""
            rows.append(
                {
                    "scope": cancer,
                    "first": first,
                    "second": second,
                    "metric": metric,
                    "test": "corrected resampled t (Nadeau-Bengio)",
                    "n": len(pair),
                    "mean_difference": float(difference.mean()) if len(pair) else np.nan,
                    "statistic": t,
                    "df": df,
                    "p_value": p,
                    "min_attainable_p": 0.0 if len(pair) >= 2 else np.nan,
                    "note": note,
                }
            )
    return pd.DataFrame(rows, columns=[c for c in TEST_COLUMNS if c != "q_value"])


def cancer_means(folds: pd.DataFrame, metric: str = "harrell_c") -> pd.DataFrame:
    """Mean of `metric` per cancer type (rows) and representation (columns)."""
    return folds.pivot_table(index="cancer", columns="representation", values=metric, aggfunc="mean")


def pan_cancer_summary(folds: pd.DataFrame, metric: str = "harrell_c") -> pd.DataFrame:
    """Per representation: mean rank across cancer types (1 = best; ties share the average rank) and mean C."""
    means = cancer_means(folds, metric)
    ranks = means.rank(axis=1, ascending=False, method="average")
    table = pd.DataFrame(
        {
            "representation": means.columns,
            "cancer_types": means.notna().sum().to_numpy(),
            "mean_rank": ranks.mean().to_numpy(),
            f"mean_{metric}": means.mean().to_numpy(),
            f"min_{metric}": means.min().to_numpy(),
            f"max_{metric}": means.max().to_numpy(),
        }
    )
    return table.sort_values(["mean_rank", "representation"]).reset_index(drop=True)  # rounded once, when shown


def across_cancer_tests(folds: pd.DataFrame, comparisons: list[list[str]], metric: str = "harrell_c") -> pd.DataFrame:
    """Exact Wilcoxon signed-rank test over cancer types of the per-type mean difference."""
    from scipy import stats

    means = cancer_means(folds, metric)
    rows = []
    for first, second in comparisons:
        if first not in means.columns or second not in means.columns:
            continue
        pair = means[[first, second]].dropna()
        difference = (pair[first] - pair[second]).to_numpy()
        n = int(np.count_nonzero(difference))
        min_p = 2.0 / 2**n if n else np.nan  # every type on the same side
        if n == 0:
            statistic, p = np.nan, 1.0
        else:
            result = stats.wilcoxon(pair[first], pair[second], method="exact" if n <= 25 else "auto")
            statistic, p = float(result.statistic), float(result.pvalue)
        note = "" if n and min_p < 0.05 else f"cannot reach p < 0.05 with {len(pair)} cancer type(s)"
        rows.append(
            {
                "scope": "pan-cancer",
                "first": first,
                "second": second,
                "metric": metric,
                "test": "Wilcoxon signed-rank over cancer types",
                "n": len(pair),
                "mean_difference": float(difference.mean()) if len(pair) else np.nan,
                "statistic": statistic,
                "df": np.nan,
                "p_value": p,
                "min_attainable_p": min_p,
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=[c for c in TEST_COLUMNS if c != "q_value"])


def paired_tests(folds: pd.DataFrame, comparisons: list[list[str]], metric: str = "harrell_c") -> pd.DataFrame:
    """Every within-cancer and pan-cancer test of a run, with Benjamini-Hochberg q-values over all of them."""
    from scipy import stats

    tests = pd.concat(
        [within_cancer_tests(folds, comparisons, metric), across_cancer_tests(folds, comparisons, metric)],
        ignore_index=True,
    )
    tests["q_value"] = np.nan
    testable = tests["p_value"].notna()
    if testable.any():
        tests.loc[testable, "q_value"] = stats.false_discovery_control(
            tests.loc[testable, "p_value"].to_numpy(), method="bh"
        )
    return tests[TEST_COLUMNS]
