"""Figure functions on small tables: they return figures with the expected content, and the summary table."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from pancan.figures.best_representation import best_representation, gene_representation
from pancan.figures.burden import burden_cindex, burden_figure
from pancan.figures.cindex_boxplot import cindex_boxplot, significance_label
from pancan.figures.cohort_overview import cohort_overview
from pancan.figures.hyperparameters import chosen_hyperparameters
from pancan.figures.kaplan_meier import kaplan_meier_risk_groups, risk_groups
from pancan.figures.selected_genes import selected_genes, selection_frequency
from pancan.figures.style import colour, ordered, save_figure
from pancan.report.summary_markdown import summary_markdown

RNG = np.random.default_rng(0)
REPS = ["raw", "netnorm", "mutation_count"]


def fold_table():
    rows = []
    for cancer in ["AAA", "BBB"]:
        for name in REPS + ["netnorm+clinical"]:
            for fold in range(5):
                rows.append({"cancer": cancer, "representation": name, "repeat": 0, "fold": fold,
                             "harrell_c": 0.5 + 0.05 * (name == "netnorm") + RNG.normal(0, 0.01), "uno_c": 0.5,
                             "n_selected": 3, "parameter": "k" if name == "netnorm" else "",
                             "parameter_value": 50.0 * (fold % 2 + 1) if name == "netnorm" else np.nan})
    return pd.DataFrame(rows)


def test_colours_and_order_are_consistent():
    assert colour("netnorm+clinical") == colour("netnorm") != colour("raw")
    assert ordered(["netnorm+clinical", "clinical", "netnorm", "raw", "zzz"]) == [
        "raw", "netnorm", "netnorm+clinical", "clinical", "zzz"]
    assert significance_label(0.0005) == "***" and significance_label(0.2) == ""


def test_cindex_boxplot_marks_significant_pairs(tmp_path):
    tests = pd.DataFrame({"cancer": ["AAA", "BBB"], "first": "netnorm", "second": "raw", "metric": "harrell_c",
                          "folds": 5, "mean_difference": 0.05, "statistic": 0.0, "p_value": [0.004, 0.3]})
    figure = cindex_boxplot(fold_table(), tests)
    assert isinstance(figure, Figure)
    visible = [a for a in figure.axes if a.get_visible()]
    assert [a.get_title() for a in visible] == ["AAA", "BBB"]
    assert [t.get_text() for t in visible[0].texts] == ["**"] and len(visible[1].texts) == 0
    labels = [t.get_text() for t in visible[0].get_xticklabels()]
    assert labels == ["raw", "mutation count", "netnorm"]  # combinations left out by default
    save_figure(figure, tmp_path / "c.png", tmp_path / "c.svg")
    assert (tmp_path / "c.png").stat().st_size > 1000 and (tmp_path / "c.svg").exists()


def test_hyperparameters_and_best_representation():
    folds = fold_table()
    figure = chosen_hyperparameters(folds)
    assert "netnorm" in figure.axes[0].get_title()
    assert best_representation(folds, REPS) == "netnorm"
    assert gene_representation(folds, ["raw", "mutation_count"]) == "raw"


def survival_tables(n=120):
    ids = [f"P{i}" for i in range(n)]
    burden = RNG.integers(1, 200, n)
    risk = RNG.normal(0, 1, n)
    time = RNG.exponential(np.exp(-risk)) * 1000
    patients = pd.DataFrame({"patient_id": ids, "time_days": time, "event": (RNG.random(n) < 0.7).astype(int),
                             "n_mutations": burden})
    predictions = pd.DataFrame({"representation": "netnorm", "repeat": 0, "fold": np.arange(n) % 4,
                                "patient_id": ids, "risk": risk})
    return predictions, patients


def test_kaplan_meier_groups_and_logrank():
    predictions, patients = survival_tables()
    groups = risk_groups(predictions)
    assert set(groups) == {"high", "low"}
    assert (predictions.assign(g=groups).groupby("fold")["g"].apply(lambda g: (g == "high").sum()) == 15).all()
    figure, p_value = kaplan_meier_risk_groups(predictions, patients, "T")
    assert p_value < 0.01  # the risk is prognostic by construction
    assert len(figure.axes[0].get_lines()) == 2 and "log-rank" in figure.axes[0].texts[0].get_text()


def test_burden_halves_and_selected_genes():
    predictions, patients = survival_tables()
    table = burden_cindex(predictions, patients)
    assert set(table["burden"]) == {"low", "high"} and table["harrell_c"].between(0, 1).all()
    assert isinstance(burden_figure({"AAA": table}), Figure)
    coefficients = pd.DataFrame({"feature": ["TP53", "TP53", "KRAS", "EGFR"], "coefficient": [0.5, 0.4, -0.2, 0.1]})
    frequency = selection_frequency(coefficients, n_folds=4)
    assert frequency.iloc[0]["feature"] == "TP53" and frequency.iloc[0]["frequency"] == pytest.approx(0.5)
    figure = selected_genes(coefficients, 4, "T", "netnorm")
    assert [t.get_text() for t in figure.axes[0].get_yticklabels()][-1] == "TP53"


def test_cohort_overview_and_summary_markdown():
    summary = pd.DataFrame({"cancer": ["AAA", "BBB"], "patients": [100, 50], "deaths": [30, 20],
                            "genes_mutated": [900, 800], "mutations_median": [20.0, 40.0],
                            "fraction_in_pathway_commons": [0.9, 0.92]})
    figure = cohort_overview(summary, {"AAA": RNG.integers(1, 500, 100), "BBB": RNG.integers(1, 500, 50)})
    assert figure.axes[1].get_yscale() == "log"
    folds = fold_table()
    table = folds.groupby(["cancer", "representation"]).agg(
        folds=("harrell_c", "size"), harrell_c_mean=("harrell_c", "mean"), harrell_c_sd=("harrell_c", "std")).reset_index()
    tests = pd.DataFrame({"cancer": ["AAA"], "first": ["netnorm"], "second": ["raw"], "p_value": [0.01]})
    text = summary_markdown(table, tests, summary)
    assert text.splitlines()[4].startswith("| cancer | raw | mutation_count | netnorm |")
    assert "| AAA | " in text and "netnorm | raw |" in text
