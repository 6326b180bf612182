"""The compiled loops (numba) give numpy's numbers, on real profiles and pairs.

Quantile normalisation, the variance filter and the survival SVM solver run compiled loops for speed. Each loop is
compared here with the plain numpy expression (or an independent per-row construction) it
replaces: exactly where no sum is involved, to rounding where the order of addition may differ.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import scipy.sparse as sp
from real_data import aligned_cohort, pathway_commons_adjacency, snapshot_cohort

from pancan.benchmark.feature_steps import column_variance
from pancan.models.pair_kernels import (
    column_dots,
    columns_product,
    dense_columns,
    laplacian_product,
    pair_scatter,
    pair_slack,
    update_laplacian,
)
from pancan.models.pairs import comparable_pairs
from pancan.models.ranking_svm_solver import first_of_identical_columns
from pancan.representations.quantile import QuantileNormalizer, map_ranked, quantile_reference, rank_profiles
from pancan.representations.row_cache import RowCache
from pancan.representations.smoothing import smooth


@cache
def lusc_smoothed() -> np.ndarray:
    """LUSC's 173 patients smoothed on Pathway Commons (float32, as the smooth_profiles rule writes them)."""
    return smooth(aligned_cohort("LUSC").X, pathway_commons_adjacency(), 0.7)


def runs_by_unique(row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last sorted position of each entry's value, from np.unique (independent of the kernel's scan)."""
    values, first, counts = np.unique(np.sort(row), return_index=True, return_counts=True)
    index = np.searchsorted(values, row)
    return first[index], first[index] + counts[index] - 1


def test_tie_runs_and_sorted_rows_equal_an_independent_construction():
    F = lusc_smoothed()
    ranked = rank_profiles(F, n_jobs=2)
    np.testing.assert_array_equal(ranked.sorted_values, np.sort(F, axis=1))
    tied = 0
    for i in range(F.shape[0]):
        start, end = runs_by_unique(F[i])
        np.testing.assert_array_equal(ranked.run_start[i], start)
        np.testing.assert_array_equal(ranked.run_end[i], end)
        tied += int((start != end).sum())
    assert (
        tied > 0.05 * F.size
    )  # real smoothed profiles are full of ties (unreached genes): the tied branch is exercised


def test_reference_and_map_equal_numpy():
    F = lusc_smoothed()
    ranked = rank_profiles(F)
    rows = np.sort(np.random.default_rng(0).choice(F.shape[0], 120, replace=False))
    reference = quantile_reference(ranked.sorted_values, rows=rows)
    np.testing.assert_allclose(reference, ranked.sorted_values[rows].mean(axis=0, dtype=np.float64), rtol=1e-13)
    start, end = ranked.run_start[rows].astype(np.int64), ranked.run_end[rows].astype(np.int64)
    cumulative = np.concatenate([[0.0], np.cumsum(reference)])
    tie_mean = (cumulative[end + 1] - cumulative[start]) / (end - start + 1)
    for dtype in (np.float32, np.float64):
        expected = np.where(start == end, reference.astype(dtype)[start], tie_mean.astype(dtype))
        mapped = map_ranked(ranked, reference, dtype=dtype, rows=rows)
        assert mapped.dtype == dtype and np.array_equal(mapped, expected)


def test_column_variance_equals_numpy_var():
    F = lusc_smoothed()
    ranked = rank_profiles(F)
    mapped = map_ranked(ranked, quantile_reference(ranked.sorted_values), dtype=np.float32)  # an NSQN training matrix
    rng = np.random.default_rng(1)
    for X in (mapped, F.astype(np.float64), mapped[:, ::3], rng.standard_normal((600, 3000)) * 1e4 + 3.0):
        assert X.size >= 2**20  # large enough for the compiled loop
        np.testing.assert_allclose(column_variance(X), X.var(axis=0, dtype=np.float64), rtol=1e-10, atol=0)
    small = rng.standard_normal((5, 4)).astype(np.float32)  # the numpy branch
    assert np.array_equal(column_variance(small), small.var(axis=0, dtype=np.float64))


def test_row_cache_locate_points_at_the_rows_it_would_copy():
    cache = RowCache("test locate")
    try:
        X = sp.csr_matrix(np.array([[1.0, 0, 2], [0, 3, 0], [1.0, 0, 2], [4, 0, 0]]))
        calls = []

        def doubled(rows):
            calls.append(rows.shape[0])
            return (rows.toarray() * 2,)

        (store,), positions = cache.locate("double", X, doubled)
        assert calls == [3]  # the identical first and third rows are computed once
        np.testing.assert_array_equal(store[positions], X.toarray() * 2)
        assert positions[0] == positions[2]
        (copied,) = cache.rows("double", X[[3, 1]], doubled)
        assert calls == [3] and np.array_equal(copied, X[[3, 1]].toarray() * 2)
    finally:
        cache.clear()


def test_any_layout_and_byte_order_gives_numpys_numbers():
    rng = np.random.default_rng(3)
    for X in (
        np.asfortranarray(rng.standard_normal((1500, 800)) * 1e4 + 3.0),
        rng.standard_normal((2**20 + 5, 1)) * 1e4 + 3.0,
        np.asfortranarray(rng.standard_normal((1200, 900))).astype(">f8"),  # big-endian: converted first
    ):
        np.testing.assert_allclose(column_variance(X), X.var(axis=0, dtype=np.float64), rtol=1e-10, atol=0)
        if X.shape[1] > 1:
            fitted = QuantileNormalizer().fit(X[:300])
            expected = np.sort(X[:300], axis=1).mean(axis=0, dtype=np.float64)
            np.testing.assert_allclose(fitted.reference_, expected, rtol=1e-13)
            np.testing.assert_array_equal(rank_profiles(X[:50]).sorted_values, np.sort(X[:50], axis=1))


def test_map_with_int32_positions_on_wide_tied_rows():
    rng = np.random.default_rng(4)
    F = rng.integers(0, 50, (6, 40_000)).astype(np.float32)  # more than 32,767 columns, every value tied
    ranked = rank_profiles(F)
    assert ranked.run_start.dtype == np.int32
    for i in range(F.shape[0]):
        start, end = runs_by_unique(F[i])
        np.testing.assert_array_equal(ranked.run_start[i], start)
        np.testing.assert_array_equal(ranked.run_end[i], end)
    reference = quantile_reference(ranked.sorted_values)
    start, end = ranked.run_start.astype(np.int64), ranked.run_end.astype(np.int64)
    cumulative = np.concatenate([[0.0], np.cumsum(reference)])
    expected = ((cumulative[end + 1] - cumulative[start]) / (end - start + 1)).astype(np.float32)
    assert np.array_equal(map_ranked(ranked, reference, dtype=np.float32), expected)


def lusc_pairs() -> tuple[np.ndarray, np.ndarray]:
    patients = snapshot_cohort("LUSC").patients
    return comparable_pairs(patients["event"].to_numpy(bool), patients["time_days"].to_numpy(float))


def test_pair_kernels_equal_scipy_products_with_the_incidence():
    """The survival SVM's passes over pairs and sparse columns give scipy's numbers on LUSC's real pairs (B' v to rounding)."""
    X = sp.csr_matrix(aligned_cohort("LUSC").X, dtype=np.float32)
    earlier, later = lusc_pairs()
    n = X.shape[0]
    m = len(earlier)  # the incidence B as a scipy matrix: +1 at the earlier, -1 at the later patient of each pair
    B = sp.csr_matrix(
        (np.r_[np.ones(m), -np.ones(m)], (np.r_[np.arange(m), np.arange(m)], np.r_[earlier, later])), shape=(m, n)
    )
    rng = np.random.default_rng(0)
    scores = rng.normal(size=n)
    np.testing.assert_array_equal(pair_slack(scores, earlier, later), np.maximum(0.0, 1.0 - B @ scores))
    values = rng.random(len(earlier))
    # B' v sums each earlier patient's run of pairs first: scipy's sums in another order, in any pair order
    by_earlier = np.argsort(earlier, kind="stable")
    for order in (np.arange(m), by_earlier, rng.permutation(m)):
        np.testing.assert_allclose(
            pair_scatter(values[order], -0.5, earlier[order], later[order], n),
            B.T @ (-0.5 * values),
            rtol=1e-13,
            atol=1e-13,
        )
    columns = sp.csc_matrix(X)
    columns.sort_indices()
    support = np.sort(rng.choice(X.shape[1], 40, replace=False))
    weights = rng.normal(size=40)
    np.testing.assert_array_equal(
        columns_product(columns.indptr, columns.indices, columns.data, support, weights, n), X[:, support] @ weights
    )
    np.testing.assert_array_equal(column_dots(columns.indptr, columns.indices, columns.data, scores), X.T @ scores)
    # dense columns in any order, repeated, from float32 data; a matrix with duplicate stored entries adds them
    chosen = np.r_[support[::-1], support[:3]]
    np.testing.assert_array_equal(
        dense_columns(columns.indptr, columns.indices, columns.data, chosen, n),
        X[:, chosen].toarray().astype(np.float64),
    )
    runs = list(zip(columns.indptr[:-1], columns.indptr[1:], strict=True))  # each column's entries stored twice
    data = np.concatenate([np.r_[columns.data[a:b], columns.data[a:b]] for a, b in runs])
    rows = np.concatenate([np.r_[columns.indices[a:b], columns.indices[a:b]] for a, b in runs])
    twice = sp.csc_matrix((data, rows, 2 * columns.indptr), shape=columns.shape)
    np.testing.assert_array_equal(
        dense_columns(twice.indptr, twice.indices, twice.data, chosen, n), 2 * X[:, chosen].toarray().astype(np.float64)
    )
    # L_A V for a random half of the pairs, against the Laplacian written out entry by entry
    active = rng.random(len(earlier)) < 0.5
    laplacian = np.zeros((n, n))
    for i, j in zip(earlier[active], later[active], strict=True):
        laplacian[i, i] += 1
        laplacian[j, j] += 1
        laplacian[i, j] -= 1
        laplacian[j, i] -= 1
    right = rng.normal(size=(n, 7))
    np.testing.assert_allclose(laplacian_product(right, earlier, later, active), laplacian @ right, atol=1e-12)
    # the dense L_A built from nothing, then updated in place to another random half (integer entries: exact)
    built = np.zeros((n, n))
    update_laplacian(built, earlier, later, active, np.zeros_like(active))
    np.testing.assert_array_equal(built, laplacian)
    other = rng.random(len(earlier)) < 0.5
    update_laplacian(built, earlier, later, other, active)
    expected = np.zeros((n, n))
    np.add.at(expected, (earlier[other], earlier[other]), 1)
    np.add.at(expected, (later[other], later[other]), 1)
    np.add.at(expected, (earlier[other], later[other]), -1)
    np.add.at(expected, (later[other], earlier[other]), -1)
    np.testing.assert_array_equal(built, expected)


def test_first_of_identical_columns_finds_copies_that_share_their_first_rows():
    """Dense columns are hashed on their first rows, then on all of them where that key is shared."""
    F = lusc_smoothed()[:, :3000].copy()
    F[:, 10] = F[:, 2500]  # a copy before its original
    F[:, 2000] = F[:, 11]
    F[:20, 30] = F[:20, 31]  # the same first rows, then different
    F[:, 40] = 0.0
    expected = np.zeros(F.shape[1], dtype=bool)
    seen = set()
    for j in range(F.shape[1]):
        key = F[:, j].tobytes()
        if F[:, j].any() and key not in seen:
            seen.add(key)
            expected[j] = True
    for layout in (F, np.asfortranarray(F)):  # the solver also receives column-major matrices (NSQN's)
        found = first_of_identical_columns(layout)
        np.testing.assert_array_equal(found, expected)
        assert not found[[40, 2000, 2500]].any() and found[[10, 11, 30, 31]].all()
