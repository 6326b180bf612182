"""Rules plot_* and write_summary / write_report_landing: read the result tables, call the package, save.

One entry point for the report's small rules: FIGURES and TEXTS (at the end) map each rule to its function.
Each function imports what it draws, so that a job imports only its own figure's libraries (the burden
figure needs scikit-survival, the landing page the benchmark protocol, none of them needs all).
"""

import hashlib
from pathlib import Path

import matplotlib
import pandas as pd

from pancan.atomic import write_table_atomic, write_text_atomic
from pancan.workflow_logging import rule_logging

sm = snakemake


def read(path):
    return pd.read_csv(path, sep="\t", dtype={"patient_id": str})


def plot_cohort_overview():
    from pancan.figures.cohort_overview import cohort_overview

    burden = {c: read(p)["n_mutations"].to_numpy() for c, p in zip(sm.params.cancers, sm.input.patients)}
    return cohort_overview(read(sm.input.summary), burden)


def plot_cindex():
    from pancan.figures.cindex_boxplot import cindex_boxplot

    return cindex_boxplot(read(sm.input.folds), read(sm.input.tests), summary=read(sm.input.summary))


def plot_pan_cancer():
    from pancan.figures.pan_cancer import pan_cancer_figure

    folds = read(sm.input.folds)
    return pan_cancer_figure(
        folds[folds["representation"].isin(sm.params.representations)], read(sm.input.pan_cancer), read(sm.input.tests)
    )


def plot_pooled():
    from pancan.figures.pooled_models import pooled_figure

    return pooled_figure(read(sm.input.pooled))


def plot_hyperparameters():
    from pancan.figures.hyperparameters import chosen_hyperparameters

    return chosen_hyperparameters(read(sm.input.folds))


def plot_burden():
    from pancan.figures.burden import burden_cindex, burden_figure

    tables = {
        c: burden_cindex(read(pred), read(pat))
        for c, pred, pat in zip(sm.params.cancers, sm.input.predictions, sm.input.patients)
    }
    write_table_atomic(pd.concat([t.assign(cancer=c) for c, t in tables.items()]), sm.output.table)
    return burden_figure(tables)


def plot_kaplan_meier():
    from pancan.figures.kaplan_meier import chosen_representation, kaplan_meier_risk_groups, representation_title

    name = chosen_representation(read(sm.input.folds), sm.params.representations, sm.params.choice)
    predictions = read(sm.input.predictions)
    figure, p_value = kaplan_meier_risk_groups(
        predictions[predictions["representation"] == name],
        read(sm.input.patients),
        representation_title(sm.wildcards.cancer, name),
        endpoint=sm.config["survival"]["endpoint"],  # the cohorts' endpoint: changing it changes the inputs
    )
    log.info("%s: %s (chosen by %s), log-rank p = %s", sm.wildcards.cancer, name, sm.params.choice, p_value)
    return figure


def netnorm_proxies(coefficients, folds):
    """Proxy share of NetNorM's selected genes (see `netnorm_proxy_share`), on the cohort and the main network."""
    from pancan.data.cohort import Cohort
    from pancan.figures.selected_genes import netnorm_proxy_share
    from pancan.networks import GeneNetwork
    from pancan.representations import NetworkAdjacency, align_to_network
    from pancan.representations.netnorm import netnorm_ranks

    cohort = Cohort.load(Path(sm.input.cohort[0]).parent, sm.wildcards.cancer)
    network = GeneNetwork.load(Path(sm.input.network[0]).parent)
    aligned = align_to_network(cohort, network)
    mutated = aligned.X[:, : aligned.n_network]
    depth = int(folds["parameter_value"].max())
    ranks = netnorm_ranks(mutated, NetworkAdjacency(network.adjacency), depth, sm.params.netnorm_tie_break)
    return netnorm_proxy_share(ranks, mutated, network.genes, coefficients, folds)


def plot_selected_genes():
    from pancan.figures.selected_genes import gene_representation, selected_genes

    folds = read(sm.input.folds)
    name = gene_representation(sm.params.representations)
    coefficients = read(sm.input.coefficients)
    coefficients = coefficients[coefficients["representation"] == name]
    folds = folds[folds["representation"] == name]
    proxies = netnorm_proxies(coefficients, folds) if name == "netnorm" and len(coefficients) else None
    if proxies is not None:
        log.info(
            "%s: NetNorM proxy share of the selected genes\n%s", sm.wildcards.cancer, proxies.sort_values().to_string()
        )
    return selected_genes(coefficients, len(folds), sm.wildcards.cancer, name, proxy_share=proxies)


def file_sha256(path: str) -> str:
    """sha256 of a file, read in blocks (a mutation file can be 900 MB)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stratification():
    """The stratification summary when the stage ran, else None."""
    return read(sm.input.stratification) if hasattr(sm.input, "stratification") else None


def _pooled():
    """The pooled model's summary when benchmark.pooled is on, else None."""
    return read(sm.input.pooled) if hasattr(sm.input, "pooled") else None


def write_summary():
    from pancan.report.summary_markdown import summary_markdown

    text = summary_markdown(
        read(sm.input.summary),
        read(sm.input.tests),
        read(sm.input.pan_cancer),
        read(sm.input.grid_edges),
        read(sm.input.cohorts),
        stratification=_stratification(),
        pooled=_pooled(),
    )
    write_text_atomic(sm.output[0], text)


def write_report_landing():
    from pancan.report.landing_page import landing_page

    text = landing_page(
        sm.config,
        read(sm.input.cohorts),
        read(sm.input.networks),
        read(sm.input.summary),
        read(sm.input.tests),
        read(sm.input.pan_cancer),
        read(sm.input.grid_edges),
        stratification=_stratification(),
        pooled=_pooled(),
        data_files={
            name.split("/", 1)[1]: file_sha256(path) for name, path in sm.input.items() if name.startswith("data/")
        },
    )
    write_text_atomic(sm.output[0], text)


# The rules this script serves, each with its function: figures return a Figure to save, texts write themselves.
FIGURES = {
    "plot_cohort_overview": plot_cohort_overview,
    "plot_cindex": plot_cindex,
    "plot_pan_cancer": plot_pan_cancer,
    "plot_hyperparameters": plot_hyperparameters,
    "plot_pooled": plot_pooled,
    "plot_burden": plot_burden,
    "plot_kaplan_meier": plot_kaplan_meier,
    "plot_selected_genes": plot_selected_genes,
}
TEXTS = {
    "write_summary": write_summary,
    "write_report_landing": write_report_landing,
}

with rule_logging(sm.log[0]) as log:
    matplotlib.use("Agg")  # headless, chosen here at the edge: the package sets no backend
    if sm.rule in TEXTS:
        TEXTS[sm.rule]()
    elif sm.rule in FIGURES:
        from pancan.figures.style import save_figure

        save_figure(FIGURES[sm.rule](), sm.output.png, sm.output.svg)
    else:
        raise ValueError(f"plot_report_figure.py serves rules {', '.join([*FIGURES, *TEXTS])}, not {sm.rule}")
