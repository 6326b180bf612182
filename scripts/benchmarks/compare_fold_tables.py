"""Compare two runs' outer-fold tables (e.g. before and after a refactor), fit times aside.

    .venv/bin/python scripts/benchmarks/compare_fold_tables.py OLD/results/benchmark/folds.tsv NEW/results/benchmark/folds.tsv

Prints, per representation: folds compared, folds with the same chosen parameter and
penalty, the mean and largest absolute difference of Harrell's C and of the number of
selected features, and the mean C of each run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

KEY = ["cancer", "representation", "repeat", "fold"]


def compare(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    merged = old.merge(new, on=KEY, suffixes=("_old", "_new"))
    rows = []
    for name, group in merged.groupby("representation", sort=True):
        same_parameter = np.isclose(group["parameter_value_old"].fillna(-1), group["parameter_value_new"].fillna(-1))
        same_penalty = (group["penalty_index_old"] == group["penalty_index_new"]) | group["penalty_index_old"].isna()
        difference = (group["harrell_c_new"] - group["harrell_c_old"]).abs()
        rows.append(
            {
                "representation": name,
                "folds": len(group),
                "same parameter": int(same_parameter.sum()),
                "same penalty": int(np.sum(same_penalty)),
                "same C (|d| < 1e-4)": int((difference < 1e-4).sum()),
                "mean |C difference|": round(difference.mean(), 4),
                "max |C difference|": round(difference.max(), 4),
                "mean C old": round(group["harrell_c_old"].mean(), 4),
                "mean C new": round(group["harrell_c_new"].mean(), 4),
                "median selected old": group["n_selected_old"].median(),
                "median selected new": group["n_selected_new"].median(),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    args = parser.parse_args()
    table = compare(pd.read_csv(args.old, sep="\t"), pd.read_csv(args.new, sep="\t"))
    print(table.to_markdown(index=False))


if __name__ == "__main__":
    main()
