"""Compare a pancan run of the LUSC reference protocol with the original NetNorM code, fold by fold.

    snakemake --cores 2 --directory ../lusc_reference --configfile config/paper_protocol.yaml config/lusc_reference.yaml
    python scripts/fidelity/compare_reference.py --results ../lusc_reference/results/benchmark/LUSC

Prints, per representation: mean Harrell's C of pancan and of the original, the per-fold
differences, the Spearman correlation of the test predictions, and how many outer folds
chose the original's C and parameter (markdown, for docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

REFERENCE = Path(__file__).resolve().parents[2] / "tests" / "data" / "reference_original"
C_GRID = [0.0005, 0.00075, 0.001, 0.0025, 0.005]


def compare(results: Path) -> pd.DataFrame:
    original = pd.read_csv(REFERENCE / "lusc_original_results.tsv", sep="\t")
    original_predictions = pd.read_csv(REFERENCE / "lusc_original_predictions.tsv", sep="\t")
    rows = []
    for name, ref in original.groupby("representation", sort=False):
        metrics = pd.read_csv(results / name / "repeat0_metrics.tsv", sep="\t").sort_values("fold")
        predictions = pd.read_csv(results / name / "repeat0_predictions.tsv", sep="\t")
        ref = ref.sort_values("fold")
        difference = metrics["harrell_c"].to_numpy() - ref["harrell_c_test"].to_numpy()
        correlations = []
        for fold, group in predictions.groupby("fold"):
            theirs = original_predictions[
                (original_predictions["representation"] == name) & (original_predictions["fold"] == fold)
            ].set_index("patient_id")["pred"]
            ours = group.set_index("patient_id")["risk"]
            if ours.nunique() > 1 and theirs.nunique() > 1:
                correlations.append(spearmanr(ours, -theirs.loc[ours.index]).statistic)
        same_c = np.isclose([C_GRID[i] for i in metrics["penalty_index"]], ref["liblinear_C"]).sum()
        parameter = {"netnorm": "best_k", "nsqn": "best_alpha"}.get(name)
        same_parameter = np.isclose(metrics["parameter_value"], ref[parameter]).sum() if parameter else len(ref)
        rows.append(
            {
                "representation": name,
                "pancan mean C": round(metrics["harrell_c"].mean(), 4),
                "original mean C": round(ref["harrell_c_test"].mean(), 4),
                "mean |fold difference|": round(np.abs(difference).mean(), 4),
                "max |fold difference|": round(np.abs(difference).max(), 4),
                "median Spearman": round(float(np.median(correlations)), 4) if correlations else np.nan,
                "folds with the original's C": f"{same_c}/{len(ref)}",
                "folds with its k / alpha": f"{same_parameter}/{len(ref)}",
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=Path("results/benchmark/LUSC"))
    table = compare(parser.parse_args().results)
    print(table.to_markdown(index=False) if hasattr(table, "to_markdown") else table.to_string(index=False))


if __name__ == "__main__":
    main()
