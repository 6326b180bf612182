"""The HTML report's landing page (reStructuredText): what was run, and what was found."""

from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata

import pandas as pd

from pancan import __version__
from pancan.figures.style import label, ordered

SOFTWARE = ("numpy", "scipy", "pandas", "scikit-learn", "scikit-survival", "lifelines", "snakemake", "matplotlib")
SOURCES = {
    "snapshot": "the bundled snapshot (resources/snapshot): TCGA mutation calls of the Broad Firehose 2016-01-28 "
    "MutSig2CV final analysis sets, overall survival and covariates of the Firehose 2016-01-28 clinical "
    "merge; the Pathway Commons v9 and STRING networks; see resources/snapshot/PROVENANCE.md",
    "cbioportal": "TCGA PanCanAtlas studies downloaded from the cBioPortal datahub, networks from their publishers "
    "(pinned by sha256 locks)",
    "local": "cBioPortal-format studies read from disk (pinned by sha256 locks)",
}


def config_checksum(config: dict) -> str:
    """sha256 of the validated configuration (keys sorted), to tell two runs' settings apart."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()


def list_table(table: pd.DataFrame, title: str = "") -> str:
    """An rst list-table (no width rules to break)."""
    lines = [f".. list-table:: {title}".rstrip(), "   :header-rows: 1", ""]
    for row in [list(table.columns), *table.astype(object).where(table.notna(), "").values.tolist()]:
        lines.append("   * - " + str(row[0]))
        lines += [f"     - {value}" for value in row[1:]]
    return "\n".join(lines) + "\n"


def _versions() -> str:
    versions = [f"Python {platform.python_version()}", f"pancan {__version__}"]
    for package in SOFTWARE:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(versions)


def _protocol(config: dict) -> list[str]:
    benchmark = config["benchmark"]
    penalties = benchmark["penalties"]
    if penalties["C"]:
        path = f"liblinear costs C = {', '.join(map(str, penalties['C']))}"
    else:
        path = f"{penalties['n']} penalties from {penalties['max_ratio']:g} to {penalties['min_ratio']:g} x alpha_max"
    inner_seed = benchmark["inner_seed"] if benchmark["inner_seed"] is not None else "derived from the seed per fold"
    features = benchmark["max_features"] or "all"
    return [
        f"- **Model**: {benchmark['model']} ({path}; solver duality gap {benchmark['solver']['tol']:g}).",
        f"- **Nested cross-validation**: {benchmark['outer_folds']} outer folds x {benchmark['outer_repeats']} "
        f"repeat{'s' if benchmark['outer_repeats'] > 1 else ''}"
        f" (stratified on the event{', from ' + benchmark['folds_file'] if benchmark['folds_file'] else ''}); "
        f"{benchmark['inner_folds']} inner folds (seed {inner_seed}) choose the parameter and penalty by the "
        f"{benchmark['inner_score'].replace('_', '-')} mean inner Harrell's C.",
        f"- **Grids**: NetNorM k in {{{', '.join(map(str, benchmark['netnorm_k']))}}} ({benchmark['netnorm_tie_break']}"
        f" ties); smoothing alpha in {{{', '.join(map(str, benchmark['smoothing_alpha']))}}} "
        f"({benchmark['smoothing']['normalization']} normalisation); features kept: {features}.",
        f"- **Representations**: {', '.join(label(n) for n in benchmark['representations'])}"
        f"{'; clinical covariates alone and combined' if benchmark['clinical'] else ''}.",
        "- **Uno's C** truncated at "
        + (
            f"{benchmark['uno_tau']['years']} years"
            if benchmark["uno_tau"]["years"]
            else f"the {benchmark['uno_tau']['quantile']:g} quantile of each cohort's follow-up"
        )
        + ".",
        f"- **Seed**: {config['seed']}; configuration sha256 ``{config_checksum(config)[:16]}``.",
    ]


def _network_filter(config: dict, main: str) -> str:
    """The configured edge filter of the main network, where it has one."""
    if main == "string":
        return f" (combined score >= {config['networks']['string']['min_score']})"
    return ""


def landing_page(
    config: dict,
    cohorts: pd.DataFrame,
    networks: pd.DataFrame,
    summary: pd.DataFrame,
    tests: pd.DataFrame,
    pan_cancer: pd.DataFrame,
) -> str:
    """reStructuredText of the report's first page."""
    main = config["networks"]["main"]
    network = networks.set_index("network").loc[main]
    headline = summary.pivot(index="cancer", columns="representation", values="harrell_c_mean")
    headline = headline[[c for c in ordered(headline.columns) if "+" not in c]].round(3)
    headline.columns = [label(c) for c in headline.columns]
    significant = tests[tests["q_value"] < 0.05]
    findings = [
        f"- {label(r.first)} vs {label(r.second)} ({r.scope}): mean difference {r.mean_difference:+.3f}, "
        f"p = {r.p_value:.2g}, q = {r.q_value:.2g}"
        for r in significant.itertuples()
    ]
    best = pan_cancer.iloc[0]
    lines = [
        "pancan: somatic mutations on gene networks and survival",
        "=======================================================",
        "",
        "This report benchmarks patient representations of somatic mutation profiles (raw profiles, NetNorM, "
        "network smoothing with quantile normalisation, the mutation count, clinical covariates) by nested "
        "cross-validation of sparse survival models, as in the NetNorM paper (Le Morvan, Zinovyev and Vert, "
        "PLoS Comput Biol 2017).",
        "",
        "What was run",
        "------------",
        "",
        f"- **Data**: {SOURCES.get(config['data_source'], config['data_source'])}.",
        f"- **Cohorts**: {', '.join(f'{r.cancer} ({r.patients} patients, {r.deaths} deaths)' for r in cohorts.itertuples())}"
        f"; endpoint {config['survival']['endpoint']}.",
        f"- **Network**: {main.replace('_', ' ')}{_network_filter(config, main)}, {int(network['nodes']):,} genes, "
        f"{int(network['edges']):,} edges.",
        *_protocol(config),
        f"- **Software**: {_versions()}.",
        "",
        "What was found",
        "--------------",
        "",
        f"Across the {len(headline)} cancer types, {label(best['representation'])} has the best mean rank among the "
        f"mutation representations ({best['mean_rank']:.2f}, mean C {best['mean_harrell_c']:.3f}).",
        "",
        *(
            ["Paired differences with Benjamini-Hochberg q < 0.05:", "", *findings]
            if findings
            else [f"No paired difference reaches q < 0.05 ({len(tests)} tests, Benjamini-Hochberg over all of them)."]
        ),
        "",
        list_table(headline.reset_index(), "Mean Harrell's C over the outer test folds"),
        "The figures and tables are in the categories of the menu (Benchmark, Pan-cancer, Kaplan-Meier, Selected "
        f"genes, Cohorts{', Stratification' if config['stratification']['enabled'] else ''}); results/summary.md "
        "holds the benchmark's tables as text.",
        "",
    ]
    return "\n".join(lines)
