"""Rules plot_* and write_summary: read the result tables, call the package's figure function, save."""

import pandas as pd

from pancan.atomic import write_table_atomic, write_text_atomic
from pancan.figures.best_representation import best_representation, gene_representation
from pancan.figures.burden import burden_cindex, burden_figure
from pancan.figures.cindex_boxplot import cindex_boxplot
from pancan.figures.cohort_overview import cohort_overview
from pancan.figures.hyperparameters import chosen_hyperparameters
from pancan.figures.kaplan_meier import kaplan_meier_risk_groups
from pancan.figures.selected_genes import selected_genes
from pancan.figures.style import save_figure
from pancan.report.summary_markdown import summary_markdown
from pancan.workflow_logging import rule_logging

sm = snakemake  # noqa: F821 (injected by Snakemake)


def read(path):
    return pd.read_csv(path, sep="\t", dtype={"patient_id": str})


def plot_cohort_overview():
    burden = {c: read(p)["n_mutations"].to_numpy() for c, p in zip(sm.params.cancers, sm.input.patients)}
    return cohort_overview(read(sm.input.summary), burden)


def plot_cindex():
    return cindex_boxplot(read(sm.input.folds), read(sm.input.wilcoxon))


def plot_hyperparameters():
    return chosen_hyperparameters(read(sm.input.folds))


def plot_burden():
    tables = {c: burden_cindex(read(pred), read(pat))
              for c, pred, pat in zip(sm.params.cancers, sm.input.predictions, sm.input.patients)}
    write_table_atomic(pd.concat([t.assign(cancer=c) for c, t in tables.items()]), sm.output.table)
    return burden_figure(tables)


def plot_kaplan_meier():
    name = best_representation(read(sm.input.folds), sm.params.representations)
    predictions = read(sm.input.predictions)
    figure, p_value = kaplan_meier_risk_groups(predictions[predictions["representation"] == name],
                                               read(sm.input.patients), f"{sm.wildcards.cancer}, {name}")
    log.info("%s: best representation %s, log-rank p = %.3g", sm.wildcards.cancer, name, p_value)
    return figure


def plot_selected_genes():
    folds = read(sm.input.folds)
    name = gene_representation(folds, sm.params.representations)
    coefficients = read(sm.input.coefficients)
    n_folds = int((folds["representation"] == name).sum())
    return selected_genes(coefficients[coefficients["representation"] == name], n_folds,
                          f"{sm.wildcards.cancer}, {name}", name)


def write_summary():
    text = summary_markdown(read(sm.input.summary), read(sm.input.wilcoxon), read(sm.input.cohorts))
    write_text_atomic(sm.output[0], text)


with rule_logging(sm.log[0]) as log:
    if sm.rule == "write_summary":
        write_summary()
    else:
        save_figure(globals()[sm.rule](), sm.output.png, sm.output.svg)
