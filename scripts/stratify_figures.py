"""Rules plot_stratification_model_selection, plot_subtype_*, plot_planted_subtypes: tables in, figure out.

Each function imports its own figure, so that a job imports only that figure's libraries.
"""

import matplotlib
import numpy as np
import pandas as pd

from pancan.atomic import write_table_atomic
from pancan.figures.style import save_figure
from pancan.workflow_logging import rule_logging

sm = snakemake


def read(path):
    return pd.read_csv(path, sep="\t", dtype={"patient_id": str})


def chosen_k():
    selection = read(sm.input.model_selection)
    return int(selection.loc[selection["chosen"], "k"].iloc[0])


def title():
    return f"{sm.wildcards.cancer}, {sm.wildcards.representation}"


def plot_stratification_model_selection():
    from pancan.figures.stratification_model_selection import model_selection_figure

    tables = {name: read(path) for name, path in zip(sm.params.representations, sm.input.tables)}
    return model_selection_figure(tables, sm.wildcards.cancer)


def plot_subtype_consensus():
    from pancan.figures.stratification_consensus import consensus_heatmap

    k = chosen_k()
    with np.load(sm.input.consensus) as arrays:
        index = list(arrays["ks"]).index(k)
        return consensus_heatmap(
            arrays["consensus"][index], arrays["order"][index], arrays["subtypes"][index], f"{title()}, k = {k}"
        )


def plot_subtype_survival():
    from pancan.figures.stratification_survival import subtype_kaplan_meier

    table = read(sm.input.assignments).merge(read(sm.input.patients), on="patient_id")
    table = table[table["clustered"]].astype({"subtype": int})
    endpoint = sm.config["survival"]["endpoint"]  # the cohorts' endpoint: changing it changes the inputs
    figure, p_value = subtype_kaplan_meier(table, f"{title()}, k = {chosen_k()}", endpoint=endpoint)
    logrank = read(sm.input.logrank)
    tested = float(logrank.loc[logrank["chosen"], "p_value"].iloc[0])
    if not np.isclose(np.nan if p_value is None else p_value, tested, rtol=1e-9, equal_nan=True):
        raise ValueError(f"the figure's log-rank p {p_value} differs from logrank.tsv's {tested} at the chosen k")
    return figure


def plot_subtype_signatures():
    from pancan.figures.stratification_signatures import signature_figure

    return signature_figure(read(sm.input.signatures), read(sm.input.modules), title())


def plot_planted_subtypes():
    from pancan.figures.stratification_simulation import planted_recovery_figure

    table = pd.concat([read(path) for path in sm.input], ignore_index=True)
    write_table_atomic(table, sm.output.table)
    summary = table.groupby(["module_size", "fraction", "method"])["ari"].agg(["mean", "min", "max"])
    log.info("ARI against planted subtypes\n%s", summary.to_string())
    return planted_recovery_figure(table)


# The rules this script serves, each with the function that draws its figure.
FIGURES = {
    "plot_stratification_model_selection": plot_stratification_model_selection,
    "plot_subtype_consensus": plot_subtype_consensus,
    "plot_subtype_survival": plot_subtype_survival,
    "plot_subtype_signatures": plot_subtype_signatures,
    "plot_planted_subtypes": plot_planted_subtypes,
}

with rule_logging(sm.log[0]) as log:
    matplotlib.use("Agg")  # headless, chosen here at the edge: the package sets no backend
    if sm.rule not in FIGURES:
        raise ValueError(f"stratify_figures.py serves rules {', '.join(FIGURES)}, not {sm.rule}")
    save_figure(FIGURES[sm.rule](), sm.output.png, sm.output.svg)
