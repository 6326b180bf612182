"""Rule evaluate_pooled end to end on two snapshot types: its tables, and the comparison with the per-type models."""

import numpy as np
import pandas as pd
import pytest
import yaml
from sksurv.metrics import concordance_index_censored
from test_workflow import deploy, snakemake

from pancan.benchmark.pooled import POOLED_ROW

pytestmark = pytest.mark.workflow
TYPES = ["GBM", "KIRC"]
POOLED_BENCHMARK = {
    "representations": ["mutation_count", "netnorm"],
    "clinical": False,
    "outer_folds": 3,
    "outer_repeats": 1,
    "inner_folds": 3,
    "netnorm_k": [30, 100],
    "penalties": {"n": 3, "min_ratio": 0.1},
    "comparisons": [["netnorm", "mutation_count"]],
    "pooled": True,
}


def test_evaluate_pooled_writes_its_tables_and_the_comparison(tmp_path):
    workdir = deploy(tmp_path, cancer_types=TYPES, benchmark=POOLED_BENCHMARK)
    config_path = workdir / "config" / "config.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["networks"]["use"] = ["pathway_commons"]
    config_path.write_text(yaml.safe_dump(config))
    result = snakemake(
        workdir, "results/benchmark/pooled/summary.tsv", "results/summary.md", "results/report/pooled.png"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    patients = pd.concat(
        [
            pd.read_csv(workdir / "results" / "cohorts" / cancer / "patients.tsv", sep="\t").assign(cancer=cancer)
            for cancer in TYPES
        ],
        ignore_index=True,
    )
    root = workdir / "results" / "benchmark" / "pooled"
    for name in POOLED_BENCHMARK["representations"]:
        assert (workdir / "logs" / "benchmark" / f"evaluate_pooled_{name}.log").exists()
        assert (workdir / "benchmarks" / "benchmark" / f"evaluate_pooled_{name}.tsv").exists()
        folds = pd.read_csv(root / name / "folds.tsv", sep="\t")
        assert list(folds["fold"]) == [0, 1, 2] and (folds["cancers"] == "GBM,KIRC").all()
        assert folds["stratified_c"].between(0, 1).all() and folds["penalty"].gt(0).all()
        assert (folds["n_train"] + folds["n_test"] == len(patients)).all()
        if name == "netnorm":
            assert set(folds["parameter_value"]) <= {30, 100}
        predictions = pd.read_csv(root / name / "predictions.tsv", sep="\t")
        assert len(predictions) == len(patients)  # every patient of both types tested once in the repeat
        merged = predictions.merge(patients, on=["cancer", "patient_id"], validate="one_to_one")
        per_type = pd.read_csv(root / name / "per_type.tsv", sep="\t")
        assert len(per_type) == 3 * len(TYPES)
        for row in per_type.itertuples():
            part = merged[(merged["fold"] == row.fold) & (merged["cancer"] == row.cancer)]
            expected = concordance_index_censored(
                part["event"].astype(bool).to_numpy(), part["time_days"].to_numpy(), part["risk"].to_numpy()
            )[0]
            assert row.harrell_c == pytest.approx(expected, abs=1e-9)
    summary = pd.read_csv(root / "summary.tsv", sep="\t")
    per_type_summary = pd.read_csv(workdir / "results" / "benchmark" / "summary.tsv", sep="\t")
    own_predictions = pd.concat(
        [pd.read_csv(workdir / "results" / "benchmark" / c / "predictions.tsv", sep="\t") for c in TYPES],
        ignore_index=True,
    ).merge(patients, on=["cancer", "patient_id"], validate="many_to_one")
    assert len(summary) == 2 * (len(TYPES) + 1)
    for row in summary[summary["cancer"] != POOLED_ROW].itertuples():
        own = per_type_summary[
            (per_type_summary["cancer"] == row.cancer) & (per_type_summary["representation"] == row.representation)
        ]
        assert row.per_type_c_mean == pytest.approx(own["harrell_c_mean"].iloc[0])
        # the per-type model's 95% interval is the one of the per-type summary: the same folds, the same variance
        assert (row.per_type_c_ci_low, row.per_type_c_ci_high) == pytest.approx(
            (own["harrell_c_ci_low"].iloc[0], own["harrell_c_ci_high"].iloc[0])
        )
        assert 0 <= row.p_value <= 1 and row.q_value >= row.p_value
    for name in POOLED_BENCHMARK["representations"]:
        # the same test patients in every fold; the per-type models' stratified C, recounted plainly
        pooled_predictions = pd.read_csv(root / name / "predictions.tsv", sep="\t")
        own = own_predictions[own_predictions["representation"] == name]
        key = ["cancer", "repeat", "fold", "patient_id"]
        assert sorted(map(tuple, pooled_predictions[key].to_numpy())) == sorted(map(tuple, own[key].to_numpy()))
        stratified = []
        for _, fold in own.groupby(["repeat", "fold"]):
            concordant = comparable = 0.0
            for _, part in fold.groupby("cancer"):
                _, yes, no, tied, _ = concordance_index_censored(
                    part["event"].astype(bool).to_numpy(), part["time_days"].to_numpy(), part["risk"].to_numpy()
                )
                concordant, comparable = concordant + yes + 0.5 * tied, comparable + yes + no + tied
            stratified.append(concordant / comparable)
        overall = summary[(summary["cancer"] == POOLED_ROW) & (summary["representation"] == name)].iloc[0]
        assert overall.per_type_c_mean == pytest.approx(np.mean(stratified), abs=1e-12)
        pooled_folds = pd.read_csv(root / name / "folds.tsv", sep="\t")
        assert overall.pooled_c_mean == pytest.approx(pooled_folds["stratified_c"].mean(), abs=1e-12)
    assert (workdir / "results" / "report" / "pooled.png").stat().st_size > 0

    # summary.md lists both models' mean C with intervals per type and over all types, the difference and q
    markdown = (workdir / "results" / "summary.md").read_text()
    section = markdown[markdown.index("## Pooled pan-cancer model") :]
    labels = {"mutation_count": "mutation count", "netnorm": "NetNorM"}
    for row in summary.itertuples():
        cells = [
            row.cancer,
            labels[row.representation],
            f"{row.pooled_c_mean:.3f} [{row.pooled_c_ci_low:.3f}, {row.pooled_c_ci_high:.3f}]",
            f"{row.per_type_c_mean:.3f} [{row.per_type_c_ci_low:.3f}, {row.per_type_c_ci_high:.3f}]",
            f"{row.difference:+.3f}",
            f"{row.q_value:.2g}",
        ]
        assert "| " + " | ".join(cells) + " |" in section, cells
