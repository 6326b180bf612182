"""The pooled pan-cancer model: one model per representation on the training patients of every type together.

Only patients of the same cancer type are ever compared: the survival SVM is fitted with
its stratified ranking loss (comparable pairs within a type, `PathSearchCV.fit(...,
groups=types)`), the inner folds are stratified on type x event, and the inner and outer
scores are stratified C-indices (concordant pairs within types / comparable pairs within
types). The outer folds are the union of each type's own outer folds (`pooled_outer_splits`,
SurvBoard's design), so the pooled model and the per-type models are scored on the same
test patients, and compared fold by fold with the corrected paired test (`pooled_comparison`).

Representations stay per patient: the cohorts' matrices, aligned to the same network, are
stacked (`pool_cohorts`; network genes first, then the union of the genes outside the
network, matched by name), and the pipeline's data-fitted steps (variance filter, NSQN's
quantile reference) are fitted on the pooled training rows of each fit.

Models without strata are refused (`check_pooled_model`): scikit-survival's Coxnet
(`cox_lasso`, `cox_elastic_net`) and the boosted Cox trees have no stratified likelihood,
so a pooled Cox fit would compare patients across types.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from pancan.benchmark.comparisons import corrected_resampled_ttest, mean_with_interval
from pancan.benchmark.nested_cv import OuterSplit, check_deaths, cohort_outer_splits
from pancan.errors import InsufficientDataError, InvalidParameterError
from pancan.models.pairs import harrell_cindex
from pancan.representations.alignment import AlignedMutations
from pancan.representations.row_cache import RowCache
from pancan.representations.smoothing import register_precomputed


@dataclass
class PooledCohort:
    """Every type's patients stacked: X[:, :n_network] follows the network's genes, then the union of the others."""

    X: sp.csr_matrix
    genes: np.ndarray
    n_network: int
    patients: pd.DataFrame  # cancer, patient_id, event, time_days: one row per row of X

    @property
    def groups(self) -> np.ndarray:
        return self.patients["cancer"].to_numpy()

    @property
    def event(self) -> np.ndarray:
        return self.patients["event"].to_numpy(dtype=bool)

    @property
    def time(self) -> np.ndarray:
        return self.patients["time_days"].to_numpy(dtype=float)


def pool_cohorts(cohorts: dict[str, tuple[AlignedMutations, pd.DataFrame]]) -> PooledCohort:
    """Stack the aligned mutation matrices of several types ({type: (aligned, patients table)}).

    Every matrix must be aligned to the same network (the same leading genes); the genes
    outside the network are matched by name, their union (sorted) following the network's.
    """
    if not cohorts:
        raise InvalidParameterError("a pooled cohort needs at least one cancer type")
    first = next(iter(cohorts.values()))[0]
    network_genes = first.genes[: first.n_network]
    for cancer, (aligned, _) in cohorts.items():
        if aligned.n_network != first.n_network or not np.array_equal(
            aligned.genes[: aligned.n_network], network_genes
        ):
            raise InvalidParameterError(f"{cancer}: its profiles are not aligned to the same network as the others")
    outside = sorted({str(gene) for aligned, _ in cohorts.values() for gene in aligned.genes[aligned.n_network :]})
    genes = np.concatenate([network_genes, np.asarray(outside, dtype=object)]).astype(object)
    column = pd.Index(genes)
    blocks, tables = [], []
    for cancer, (aligned, patients) in cohorts.items():
        if aligned.X.shape[0] != len(patients):
            raise InvalidParameterError(f"{cancer}: {aligned.X.shape[0]} profiles for {len(patients)} patients")
        position = column.get_indexer(aligned.genes)
        mover = sp.csr_matrix(
            (np.ones(len(position), dtype=np.float32), (np.arange(len(position)), position)),
            shape=(len(aligned.genes), len(genes)),
        )
        blocks.append((sp.csr_matrix(aligned.X) @ mover).astype(aligned.X.dtype))
        tables.append(
            pd.DataFrame(
                {
                    "cancer": cancer,
                    "patient_id": patients["patient_id"].to_numpy(),
                    "event": patients["event"].to_numpy(dtype=bool),
                    "time_days": patients["time_days"].to_numpy(dtype=float),
                }
            )
        )
    X = sp.vstack(blocks, format="csr")
    X.sort_indices()
    return PooledCohort(X, genes, first.n_network, pd.concat(tables, ignore_index=True))


def register_stacked_smoothings(
    memo: RowCache, pooled: PooledCohort, smoothed: list, alphas: list[float], adjacency, folder, **options
) -> None:
    """Register each type's cached smoothed profiles (the `smooth_profiles` outputs) with `memo` for pooled rows.

    `smoothed` lists, type by type in the pooled order, each type's files for the sorted `alphas`;
    for each alpha the types' rows are stacked in the pooled row order into a .npy in `folder`.
    """
    alphas = sorted(alphas)
    if len(smoothed) % len(alphas):
        raise InvalidParameterError(f"{len(smoothed)} smoothed profile files for {len(alphas)} alpha value(s)")
    for position, alpha in enumerate(alphas):
        stacked = Path(folder) / f"pooled_smoothed_alpha{alpha:g}.npy"
        np.save(stacked, np.concatenate([np.load(path) for path in smoothed[position :: len(alphas)]]))
        register_precomputed(memo, pooled.X, stacked, adjacency, alpha, **options)


def pooled_outer_splits(
    pooled: PooledCohort,
    n_folds: int,
    repeats: list[int],
    seed: int,
    folds_table: pd.DataFrame | None = None,
    folds_source: str = "",
) -> list[OuterSplit]:
    """The union of every type's own outer folds: fold (r, f) tests each type's test patients of its fold (r, f).

    Each type's folds are those its per-type benchmark draws (`cohort_outer_splits` on its
    patients alone: the same seed, or the same fold table), so the pooled model and the
    per-type models are scored on the same test patients and can be compared fold by fold.
    """
    groups = pooled.groups
    ids = pooled.patients["patient_id"].to_numpy()
    tests: dict[tuple[int, int], list[np.ndarray]] = {}
    for cancer in pd.unique(groups):
        rows = np.flatnonzero(groups == cancer)
        try:
            own = cohort_outer_splits(
                pooled.event[rows],
                ids[rows],
                n_folds,
                repeats,
                seed,
                folds_table,
                folds_source,
                what=f"{cancer} (pooled analysis)",
            )
        except InsufficientDataError as error:
            raise InsufficientDataError(
                f"{error}; or leave {cancer} out (cancer_types, or with cancer_types: [all] a survival.min_events "
                "above its deaths)"
            ) from error
        keys = [(s.repeat, s.fold) for s in own]
        if tests and sorted(keys) != sorted(tests):
            raise InvalidParameterError(
                f"{cancer}: its outer folds {sorted(keys)} are not those of the other types {sorted(tests)}"
            )
        for split in own:
            tests.setdefault((split.repeat, split.fold), []).append(rows[split.test])
    everyone = np.arange(len(groups))
    splits = []
    for (repeat, fold), parts in sorted(tests.items()):
        test = np.sort(np.concatenate(parts))
        splits.append(OuterSplit(repeat, fold, np.setdiff1d(everyone, test), test))
    return splits


def check_pooled_deaths(
    event: np.ndarray, groups: np.ndarray, splits: list[OuterSplit], inner_folds: int | None = None
) -> None:
    """Every type needs a death in every test fold (its C) and in every inner fold, as its own benchmark does."""
    event = np.asarray(event, dtype=bool)
    groups = np.asarray(groups)
    for cancer in pd.unique(groups):
        rows = np.flatnonzero(groups == cancer)
        local = np.full(len(groups), -1)
        local[rows] = np.arange(len(rows))
        restricted = [
            OuterSplit(s.repeat, s.fold, local[np.intersect1d(s.train, rows)], local[np.intersect1d(s.test, rows)])
            for s in splits
        ]
        check_deaths(event[rows], restricted, f"{cancer} (pooled analysis)", inner_folds)


def check_pooled_model(model_name: str, estimator) -> None:
    """The pooled analysis compares patients within a type only: a model without strata is refused, saying why."""
    if not getattr(estimator, "accepts_groups", False):
        raise InvalidParameterError(
            f"benchmark.model {model_name}: the pooled analysis (benchmark.pooled) needs a model whose comparable "
            "pairs can be restricted to a cancer type, and scikit-survival's Coxnet (cox_lasso, cox_elastic_net) "
            "and boosted Cox trees have no strata; use survival_svm (its stratified ranking loss) or set "
            "benchmark.pooled: false"
        )


def per_type_concordance(predictions: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """Harrell's C of the pooled model on each type's test patients, per outer fold.

    `predictions`: repeat, fold, group (the type), patient_id, risk; `patients`: cancer,
    patient_id, event, time_days. NaN where a type's test patients hold no comparable pair.
    """
    survival = patients.rename(columns={"cancer": "group"})[["group", "patient_id", "event", "time_days"]]
    merged = predictions.merge(survival, on=["group", "patient_id"], how="left", validate="many_to_one")
    if merged["event"].isna().any():
        missing = merged.loc[merged["event"].isna(), "patient_id"].iloc[0]
        raise InsufficientDataError(f"prediction of patient {missing} has no survival data")
    rows = []
    for (repeat, fold, cancer), part in merged.groupby(["repeat", "fold", "group"], sort=True):
        y = np.array(
            list(zip(part["event"].astype(bool), part["time_days"].astype(float))),
            dtype=[("event", bool), ("time", float)],
        )
        rows.append(
            {
                "repeat": repeat,
                "fold": fold,
                "cancer": cancer,
                "n_test": len(part),
                "deaths_test": int(part["event"].astype(bool).sum()),
                "harrell_c": harrell_cindex(y, part["risk"].to_numpy(dtype=float)),
            }
        )
    return pd.DataFrame(rows)


POOLED_ROW = "all (stratified)"  # the summary row of the stratified C over every type
FOLD_KEY = ["repeat", "fold"]


def check_same_test_patients(pooled_predictions: pd.DataFrame, type_predictions: pd.DataFrame) -> None:
    """The pooled and the per-type models must have tested the same patients in every outer fold.

    Both tables: representation, cancer, repeat, fold, patient_id. The per-type table may hold
    more representations and types (clinical models, types outside the pooled run); they are ignored.
    """
    key = ["representation", "cancer", *FOLD_KEY, "patient_id"]
    pooled = pooled_predictions[key]
    kept = type_predictions["representation"].isin(pooled["representation"].unique()) & type_predictions["cancer"].isin(
        pooled["cancer"].unique()
    )
    merged = pooled.merge(type_predictions.loc[kept, key], how="outer", indicator=True)
    alone = merged[merged["_merge"] != "both"]
    if len(alone):
        row = alone.iloc[0]
        which = "pooled" if row["_merge"] == "left_only" else "per-type"
        raise InvalidParameterError(
            f"{row['representation']} {row['cancer']} repeat {row['repeat']} fold {row['fold']}: patient "
            f"{row['patient_id']} is tested by the {which} model only ({len(alone)} such rows): the pooled folds are "
            "not the per-type folds; rerun both with the same seed and benchmark.folds_file"
        )


def per_type_models_stratified_c(predictions: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """Per representation and outer fold: the stratified C of the per-type models taken together.

    Each type's model scores its own test patients and pairs are compared within a type
    only, so this is the per-type models' counterpart of the pooled model's stratified C.
    `predictions`: representation, cancer, repeat, fold, patient_id, risk; `patients`:
    cancer, patient_id, event, time_days.
    """
    survival = patients[["cancer", "patient_id", "event", "time_days"]]
    merged = predictions.merge(survival, on=["cancer", "patient_id"], how="left", validate="many_to_one")
    if merged["event"].isna().any():
        missing = merged.loc[merged["event"].isna()].iloc[0]
        raise InsufficientDataError(
            f"prediction of {missing['cancer']} patient {missing['patient_id']} has no survival data"
        )
    rows = []
    for (name, repeat, fold), part in merged.groupby(["representation", *FOLD_KEY], sort=True):
        y = np.array(
            list(zip(part["event"].astype(bool), part["time_days"].astype(float))),
            dtype=[("event", bool), ("time", float)],
        )
        c = harrell_cindex(y, part["risk"].to_numpy(dtype=float), groups=part["cancer"].to_numpy())
        rows.append({"representation": name, "repeat": repeat, "fold": fold, "stratified_c": c})
    return pd.DataFrame(rows)


def pooled_fold_pairs(
    per_type: pd.DataFrame, pooled_folds: pd.DataFrame, type_folds: pd.DataFrame, type_stratified: pd.DataFrame
) -> pd.DataFrame:
    """The pooled model's C beside the per-type model's C on the same test patients, per outer fold.

    One row per (cancer, representation, repeat, fold) with pooled_c, per_type_c, n_train and
    n_test (the type's, from its own fold table), and per representation and fold one row
    `all (stratified)`: both stratified Cs over every type, with the pooled folds' sizes.
    """
    own = type_folds[["cancer", "representation", *FOLD_KEY, "n_train", "n_test", "harrell_c"]]
    types = per_type[["cancer", "representation", *FOLD_KEY, "n_test", "harrell_c"]].merge(
        own, on=["cancer", "representation", *FOLD_KEY], how="left", suffixes=("_pooled", ""), validate="one_to_one"
    )
    unmatched = types["n_train"].isna()
    if unmatched.any():
        row = types[unmatched].iloc[0]
        raise InvalidParameterError(
            f"{row['representation']} {row['cancer']} repeat {row['repeat']} fold {row['fold']}: no per-type fold "
            "to compare the pooled model with"
        )
    if (types["n_test"] != types["n_test_pooled"]).any():
        row = types[types["n_test"] != types["n_test_pooled"]].iloc[0]
        raise InvalidParameterError(
            f"{row['representation']} {row['cancer']} repeat {row['repeat']} fold {row['fold']}: the pooled model "
            f"tested {row['n_test_pooled']} patients, the per-type model {row['n_test']}: the folds differ"
        )
    types = types.rename(columns={"harrell_c_pooled": "pooled_c", "harrell_c": "per_type_c"}).drop(
        columns="n_test_pooled"
    )
    overall = pooled_folds[["representation", *FOLD_KEY, "n_train", "n_test", "stratified_c"]].merge(
        type_stratified.rename(columns={"stratified_c": "per_type_c"}),
        on=["representation", *FOLD_KEY],
        how="left",
        validate="one_to_one",
    )
    overall = overall.rename(columns={"stratified_c": "pooled_c"}).assign(cancer=POOLED_ROW)
    columns = ["cancer", "representation", *FOLD_KEY, "n_train", "n_test", "pooled_c", "per_type_c"]
    return pd.concat([types[columns], overall[columns]], ignore_index=True)


def pooled_comparison(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per type (and over every type) and representation: both models' mean C with its 95% interval, and the
    corrected paired t-test of their fold-by-fold difference (Benjamini-Hochberg q over every row).

    `pairs` comes from `pooled_fold_pairs`. The interval and the test use the corrected
    variance of repeated cross-validation (`mean_with_interval`, `corrected_resampled_ttest`)
    with the type's n_test / n_train, as the per-type summary and paired tests do.
    """
    rows = []
    for (cancer, name), group in pairs.groupby(["cancer", "representation"], sort=False):
        fraction = float((group["n_test"] / group["n_train"]).mean())  # over every fold, as summarize_folds
        row = {"cancer": cancer, "representation": name, "folds": 0}
        for model in ("pooled_c", "per_type_c"):
            row.update(mean_with_interval(group[model].dropna().to_numpy(dtype=float), fraction, model))
        difference = (group["pooled_c"] - group["per_type_c"]).dropna().to_numpy(dtype=float)  # paired folds
        t, df, p = corrected_resampled_ttest(difference, fraction)
        row.update({"folds": len(difference), "difference": difference.mean() if len(difference) else np.nan})
        row.update({"statistic": t, "df": df})
        row["p_value"] = p
        rows.append(row)
    table = pd.DataFrame(rows)
    order = {cancer: index for index, cancer in enumerate(sorted(set(table["cancer"]) - {POOLED_ROW}))}
    order[POOLED_ROW] = len(order)
    table = table.sort_values(["cancer", "representation"], key=lambda c: c.map(order) if c.name == "cancer" else c)
    table["q_value"] = np.nan
    testable = table["p_value"].notna()
    if testable.any():
        table.loc[testable, "q_value"] = stats.false_discovery_control(table.loc[testable, "p_value"], method="bh")
    return table.reset_index(drop=True)
