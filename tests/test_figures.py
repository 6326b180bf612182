"""Figure functions on small tables: they return figures with the expected content, and the summary texts."""

import numpy as np
import pandas as pd
import pytest
from docutils.core import publish_parts
from matplotlib.figure import Figure

from pancan.benchmark.comparisons import paired_tests, pan_cancer_summary
from pancan.benchmark.results_summary import grid_edges, summarize_folds
from pancan.figures.burden import burden_cindex, burden_figure
from pancan.figures.cindex_boxplot import cindex_boxplot, significance_label
from pancan.figures.cohort_overview import cohort_overview
from pancan.figures.hyperparameters import chosen_hyperparameters
from pancan.figures.kaplan_meier import chosen_representation, kaplan_meier_risk_groups, risk_groups, tie_aware_split
from pancan.figures.pan_cancer import pan_cancer_figure
from pancan.figures.selected_genes import gene_representation, selected_genes, selection_frequency
from pancan.figures.style import colour, ordered, save_figure
from pancan.report.landing_page import landing_page
from pancan.report.summary_markdown import summary_markdown
from pancan.report.summary_markdown import tests_table as markdown_tests_table  # not collected as a test

RNG = np.random.default_rng(0)
REPS = ["raw", "netnorm", "mutation_count"]


def fold_table(cancers=("AAA", "BBB")):
    rows = []
    for cancer in cancers:
        for name in [*REPS, "netnorm+clinical"]:
            for repeat in range(2):
                for fold in range(5):
                    rows.append(
                        {
                            "cancer": cancer,
                            "representation": name,
                            "repeat": repeat,
                            "fold": fold,
                            "n_train": 80,
                            "n_test": 20,
                            "harrell_c": 0.5 + 0.05 * (name == "netnorm") + RNG.normal(0, 0.01),
                            "uno_c": 0.5,
                            "uno_tau_days": 1500.0,
                            "n_selected": 3 if fold else 0,
                            "inner_c": 0.55 + 0.02 * (name == "raw"),
                            "parameter": "k" if name == "netnorm" else "",
                            "parameter_value": 50.0 * (fold % 2 + 1) if name == "netnorm" else np.nan,
                            "parameter_edge": ("lowest" if fold % 2 == 0 else "highest") if name == "netnorm" else "",
                            "penalty_index": fold % 3,
                            "penalty_edge": "strongest" if fold % 3 == 0 else "",
                        }
                    )
    return pd.DataFrame(rows)


def test_colours_labels_and_order_come_from_the_registry():
    assert colour("netnorm+clinical") == colour("netnorm") != colour("raw")
    assert ordered(["netnorm+clinical", "clinical", "netnorm", "raw", "zzz"]) == [
        "raw",
        "netnorm",
        "netnorm+clinical",
        "clinical",
        "zzz",
    ]
    assert significance_label(0.0005) == "***" and significance_label(0.2) == ""


def test_every_text_element_gets_the_style_sizes():
    figure = cindex_boxplot(fold_table(), paired_tests(fold_table(), [["netnorm", "raw"]]))
    visible = [a for a in figure.axes if a.get_visible()]
    assert {a.title.get_fontsize() for a in visible} == {9.0}
    assert {t.get_fontsize() for a in visible for t in a.get_xticklabels()} == {7.0}
    km, _ = kaplan_meier_risk_groups(*survival_tables(), "T")
    assert km.axes[0].title.get_fontsize() == 9.0


def test_cindex_boxplot_marks_pairs_by_q_value(tmp_path):
    tests = pd.DataFrame(
        {
            "scope": ["AAA", "BBB"],
            "first": "netnorm",
            "second": "raw",
            "metric": "harrell_c",
            "p_value": [0.001, 0.01],
            "q_value": [0.004, 0.3],
        }
    )
    figure = cindex_boxplot(fold_table(), tests)
    assert isinstance(figure, Figure)
    visible = [a for a in figure.axes if a.get_visible()]
    assert [a.get_title() for a in visible] == ["AAA", "BBB"]
    # AAA: q = 0.004 -> two stars; BBB: p = 0.01 but q = 0.3 -> no mark
    assert [t.get_text() for t in visible[0].texts] == ["**"] and len(visible[1].texts) == 0
    labels = [t.get_text() for t in visible[0].get_xticklabels()]
    assert labels == ["raw mutations", "mutation count", "NetNorM"]  # combinations left out by default
    save_figure(figure, tmp_path / "c.png", tmp_path / "c.svg")
    assert (tmp_path / "c.png").stat().st_size > 1000 and (tmp_path / "c.svg").exists()


def test_hyperparameters_figure_and_gene_representation():
    figure = chosen_hyperparameters(fold_table())
    assert "NetNorM" in figure.axes[0].get_title()
    assert gene_representation(REPS) == "netnorm" and gene_representation(["raw", "mutation_count"]) == "raw"


def survival_tables(n=120):
    ids = [f"P{i}" for i in range(n)]
    burden = RNG.integers(1, 200, n)
    risk = RNG.normal(0, 1, n)
    time = RNG.exponential(np.exp(-risk)) * 1000
    patients = pd.DataFrame(
        {"patient_id": ids, "time_days": time, "event": (RNG.random(n) < 0.7).astype(int), "n_mutations": burden}
    )
    predictions = pd.DataFrame(
        {"representation": "netnorm", "repeat": 0, "fold": np.arange(n) % 4, "patient_id": ids, "risk": risk}
    )
    return predictions, patients


def test_tied_risks_stay_in_one_group_and_groups_are_as_equal_as_ties_allow():
    # eight patients, five tied at the lowest risk: the split can only be 5 | 3 (or 8 | 0)
    split = tie_aware_split(np.array([0.1, 0.1, 0.1, 0.1, 0.1, 0.4, 0.5, 0.9]))
    np.testing.assert_array_equal(split, [False] * 5 + [True] * 3)
    # ties at the middle: 2 below, 3 tied, 2 above -> 2 | 5 or 5 | 2, never splitting the tie; equally unequal,
    # the lower threshold wins (5 patients in the high-risk group)
    split = tie_aware_split(np.array([1, 2, 3, 3, 3, 4, 5]))
    np.testing.assert_array_equal(split, [False] * 2 + [True] * 5)
    np.testing.assert_array_equal(tie_aware_split(np.zeros(6)), np.zeros(6, bool))  # empty model: one group
    predictions, _patients = survival_tables()
    groups = risk_groups(predictions)
    assert (predictions.assign(g=groups).groupby("fold")["g"].apply(lambda g: (g == "high risk").sum()) == 15).all()


def test_kaplan_meier_with_number_at_risk_and_the_empty_model():
    predictions, patients = survival_tables()
    figure, p_value = kaplan_meier_risk_groups(predictions, patients, "T")
    assert p_value < 0.01  # the risk is prognostic by construction
    axis = figure.axes[0]
    assert len(axis.get_lines()) == 2 and "log-rank" in axis.texts[0].get_text()
    table = [t.get_text() for a in figure.axes[1:] for t in a.get_xticklabels()]  # lifelines' number-at-risk table
    assert table[0].startswith("At risk\nlow risk (n=60)   60\nhigh risk (n=60)   60")
    empty, p_empty = kaplan_meier_risk_groups(predictions.assign(risk=0.0), patients, "T")
    assert p_empty is None and "no separation" in empty.axes[0].texts[0].get_text()
    assert len(empty.axes[0].get_lines()) == 1


def test_kaplan_meier_representation_is_chosen_on_inner_scores_not_test_folds():
    folds = fold_table()  # netnorm has the best test C, raw the best inner C
    assert chosen_representation(folds, REPS) == "raw"
    assert chosen_representation(folds, REPS, "netnorm") == "netnorm"
    with pytest.raises(ValueError, match="was not benchmarked"):
        chosen_representation(folds, REPS, "nsqn")


def test_burden_halves_and_selected_genes_legend():
    predictions, patients = survival_tables()
    table = burden_cindex(predictions, patients)
    assert set(table["burden"]) == {"low", "high"} and table["harrell_c"].between(0, 1).all()
    assert isinstance(burden_figure({"AAA": table}), Figure)
    coefficients = pd.DataFrame({"feature": ["TP53", "TP53", "KRAS", "EGFR"], "coefficient": [0.5, 0.4, -0.2, 0.1]})
    frequency = selection_frequency(coefficients, n_folds=4)
    assert frequency.iloc[0]["feature"] == "TP53" and frequency.iloc[0]["frequency"] == pytest.approx(0.5)
    figure = selected_genes(coefficients, 4, "T", "netnorm")
    axis = figure.axes[0]
    assert [t.get_text() for t in axis.get_yticklabels()][-1] == "TP53"
    bar_colours = {tuple(np.round(p.get_facecolor(), 3)) for p in axis.patches}
    legend_colours = {tuple(np.round(h.get_facecolor(), 3)) for h in axis.get_legend().legend_handles}
    assert bar_colours == legend_colours  # every bar colour is explained by the legend


def test_pan_cancer_figure_and_summary_texts():
    folds = fold_table(("AAA", "BBB", "CCC"))
    summary = summarize_folds(folds)
    tests = paired_tests(folds, [["netnorm", "raw"], ["raw", "mutation_count"]])
    pan = pan_cancer_summary(folds[~folds["representation"].str.contains("+", regex=False)])
    assert pan.iloc[0]["representation"] == "netnorm" and pan.iloc[0]["mean_rank"] == 1.0
    figure = pan_cancer_figure(folds, pan, tests)
    assert next(t.get_text() for t in figure.axes[0].get_yticklabels()) == "NetNorM"  # best mean rank on top
    cohorts = pd.DataFrame(
        {
            "cancer": ["AAA", "BBB", "CCC"],
            "patients": [100, 50, 70],
            "deaths": [30, 20, 25],
            "genes_mutated": [900, 800, 700],
            "mutations_median": [20.0, 40.0, 10.0],
            "fraction_in_pathway_commons": [0.9, 0.92, 0.91],
        }
    )
    assert (
        cohort_overview(cohorts, {c: RNG.integers(1, 500, 50) for c in cohorts["cancer"]}).axes[1].get_yscale() == "log"
    )
    text = summary_markdown(summary, tests, pan, grid_edges(folds), cohorts)
    assert "| cancer | raw mutations | mutation count | NetNorM | NetNorM + clinical |" in text
    assert "smallest attainable p is 0.25, so it cannot reach p < 0.05" in text  # 3 cancer types
    assert "q_value" in text and "Benjamini-Hochberg" in text
    untestable = tests.iloc[:1].assign(p_value=np.nan, q_value=np.nan)  # e.g. a single fold: no variance
    assert markdown_tests_table(untestable)[["p_value", "q_value", "significant"]].values.tolist() == [["-", "-", ""]]
    # grid edges of NetNorM in AAA: 10 folds; k lowest in folds 0, 2, 4 of both repeats (6), highest 4;
    # strongest penalty in folds 0 and 3 (4); no weakest; fold 0 selected nothing (2)
    assert "| AAA | NetNorM | 10 | 6 | 4 | 4 | 0 | 2 |" in text


def test_landing_page_is_clean_restructured_text():
    from pathlib import Path

    import yaml

    config = yaml.safe_load((Path(__file__).resolve().parents[1] / "config" / "config.yaml").read_text())
    folds = fold_table(("AAA", "BBB", "CCC"))
    cohorts = pd.DataFrame({"cancer": ["AAA", "BBB", "CCC"], "patients": [100, 50, 70], "deaths": [30, 20, 25]})
    networks = pd.DataFrame({"network": ["pathway_commons"], "nodes": [20057], "edges": [842761]})
    pan = pan_cancer_summary(folds)
    text = landing_page(
        config,
        cohorts,
        networks,
        summarize_folds(folds),
        paired_tests(folds, [["netnorm", "raw"]]),
        pan,
        grid_edges(folds),
    )
    html = publish_parts(text, writer="html", settings_overrides={"report_level": 1})["html_body"]
    assert "System Message" not in html and "<table" in html
    assert "What was run" in html and "20,057 genes" in html and "configuration sha256" in html
    # the network line follows the config: STRING as the main network shows its score threshold
    config["networks"].update(main="string", string={"min_score": 700})
    networks = pd.DataFrame({"network": ["string"], "nodes": [11000], "edges": [250000]})
    text = landing_page(
        config,
        cohorts,
        networks,
        summarize_folds(folds),
        paired_tests(folds, [["netnorm", "raw"]]),
        pan,
        grid_edges(folds),
    )
    assert "- **Network**: string (combined score >= 700), 11,000 genes, 250,000 edges." in text
