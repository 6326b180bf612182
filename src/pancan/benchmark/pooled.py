"""The pooled pan-cancer model: one model per representation on the training patients of every type together.

Only patients of the same cancer type are ever compared: the survival SVM is fitted with
its stratified ranking loss (comparable pairs within a type, `PathSearchCV.fit(...,
groups=types)`), the inner folds are stratified on type x event, and the inner and outer
scores are stratified C-indices (concordant pairs within types / comparable pairs within
types). The outer folds are stratified on type x event (`pooled_outer_splits`), so each
test fold holds about the same share of every type's patients and deaths.

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
from sklearn.model_selection import RepeatedStratifiedKFold

from pancan.benchmark.nested_cv import OuterSplit, check_deaths
from pancan.errors import InsufficientDataError, InvalidParameterError
from pancan.models.pairs import harrell_cindex
from pancan.models.path_search import stratification_labels
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
    event: np.ndarray,
    groups: np.ndarray,
    n_folds: int,
    n_repeats: int,
    seed: int,
    repeats: list[int] | None = None,
) -> list[OuterSplit]:
    """Repeated K-fold stratified on cancer type x event (RepeatedStratifiedKFold seeded by `seed`)."""
    labels = stratification_labels(event, groups)
    splitter = RepeatedStratifiedKFold(n_splits=n_folds, n_repeats=n_repeats, random_state=seed)
    splits = []
    for index, (train, test) in enumerate(splitter.split(np.zeros(len(labels)), labels)):
        repeat, fold = divmod(index, n_folds)
        if repeats is None or repeat in repeats:
            splits.append(OuterSplit(repeat, fold, train, test))
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


POOLED_ROW = "all (stratified)"  # the summary row of a pooled model's stratified C over every type


def pooled_comparison(per_type: pd.DataFrame, summary: pd.DataFrame, folds: pd.DataFrame | None = None) -> pd.DataFrame:
    """Mean C per type and representation of the pooled model, next to the per-type model's (summary.tsv).

    With the pooled fold tables (`stratified_c`), one more row per representation, cancer
    `all (stratified)`: the mean stratified C of its outer folds (no per-type model to set beside it).
    """
    pooled = (
        per_type.groupby(["cancer", "representation"], sort=True)["harrell_c"]
        .agg(pooled_c_mean="mean", pooled_c_sd="std", pooled_folds="count")
        .reset_index()
    )
    own = summary[["cancer", "representation", "harrell_c_mean", "harrell_c_sd", "folds"]].rename(
        columns={"harrell_c_mean": "per_type_c_mean", "harrell_c_sd": "per_type_c_sd", "folds": "per_type_folds"}
    )
    table = pooled.merge(own, on=["cancer", "representation"], how="left")
    if folds is not None:
        overall = (
            folds.groupby("representation", sort=True)["stratified_c"]
            .agg(pooled_c_mean="mean", pooled_c_sd="std", pooled_folds="count")
            .reset_index()
            .assign(cancer=POOLED_ROW)
        )
        table = pd.concat([table, overall], ignore_index=True)
    table["difference"] = table["pooled_c_mean"] - table["per_type_c_mean"]
    return table[
        [
            "cancer",
            "representation",
            "pooled_c_mean",
            "pooled_c_sd",
            "pooled_folds",
            "per_type_c_mean",
            "per_type_c_sd",
            "per_type_folds",
            "difference",
        ]
    ]
