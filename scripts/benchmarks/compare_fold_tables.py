"""Compare two runs' outer-fold tables (e.g. before and after an engine change), fit times aside.

    .venv/bin/python scripts/benchmarks/compare_fold_tables.py OLD/results/benchmark/folds.tsv \
        NEW/results/benchmark/folds.tsv [--tolerance 0.001]

Prints, per representation: folds compared, folds with the same chosen parameter and
penalty, the folds whose Harrell's C moved by `tolerance` or more and how many of them are
near ties (the inner winner beat the runner-up by less than `tolerance` of inner C, in
either run's `inner_margin`), the mean and largest absolute difference of C, the mean C
of each run. Then it lists every fold that moved without a near tie: an engine change
should leave none.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

KEY = ["cancer", "representation", "repeat", "fold"]


def merge_folds(old: pd.DataFrame, new: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """The two runs' folds side by side, with |C difference|, `moved` and `near_tie` per fold."""
    # suffixed even where only one run has the column (an older engine wrote no inner_margin)
    old = old.rename(columns={c: f"{c}_old" for c in old.columns if c not in KEY})
    new = new.rename(columns={c: f"{c}_new" for c in new.columns if c not in KEY})
    merged = old.merge(new, on=KEY)
    merged["difference"] = (merged["harrell_c_new"] - merged["harrell_c_old"]).abs()
    margins = [merged[f"inner_margin_{run}"] for run in ("old", "new") if f"inner_margin_{run}" in merged]
    near = np.zeros(len(merged), dtype=bool)
    for margin in margins:
        near |= (margin < tolerance).to_numpy()
    merged["moved"] = merged["difference"] >= tolerance
    merged["near_tie"] = near
    return merged


def compare(old: pd.DataFrame, new: pd.DataFrame, tolerance: float = 0.001) -> pd.DataFrame:
    merged = merge_folds(old, new, tolerance)
    rows = []
    for name, group in merged.groupby("representation", sort=True):
        same_parameter = np.isclose(group["parameter_value_old"].fillna(-1), group["parameter_value_new"].fillna(-1))
        same_penalty = (group["penalty_index_old"] == group["penalty_index_new"]) | group["penalty_index_old"].isna()
        rows.append(
            {
                "representation": name,
                "folds": len(group),
                "same parameter": int(same_parameter.sum()),
                "same penalty": int(np.sum(same_penalty)),
                f"C moved >= {tolerance:g}": int(group["moved"].sum()),
                "of which near ties": int((group["moved"] & group["near_tie"]).sum()),
                "mean |C difference|": round(group["difference"].mean(), 4),
                "max |C difference|": round(group["difference"].max(), 4),
                "mean C old": round(group["harrell_c_old"].mean(), 4),
                "mean C new": round(group["harrell_c_new"].mean(), 4),
            }
        )
    return pd.DataFrame(rows)


def unexplained(old: pd.DataFrame, new: pd.DataFrame, tolerance: float = 0.001) -> pd.DataFrame:
    """Folds whose C moved by `tolerance` or more although their inner choice was no near tie."""
    merged = merge_folds(old, new, tolerance)
    columns = [*KEY, "harrell_c_old", "harrell_c_new", "parameter_value_old", "parameter_value_new"]
    columns += [c for c in ("inner_margin_new",) if c in merged]
    return merged.loc[merged["moved"] & ~merged["near_tie"], columns]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--tolerance", type=float, default=0.001)
    args = parser.parse_args()
    old, new = pd.read_csv(args.old, sep="\t"), pd.read_csv(args.new, sep="\t")
    print(compare(old, new, args.tolerance).to_markdown(index=False))
    rest = unexplained(old, new, args.tolerance)
    print(f"\n{len(rest)} fold(s) moved by >= {args.tolerance:g} without a near tie" + (":" if len(rest) else "."))
    if len(rest):
        print(rest.to_markdown(index=False))


if __name__ == "__main__":
    main()
