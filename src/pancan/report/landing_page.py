"""The HTML report's landing page (reStructuredText): what was run, and what was found."""

from __future__ import annotations

import platform
from importlib import metadata

import pandas as pd

from pancan import __version__
from pancan.benchmark.protocol import BenchmarkSettings
from pancan.data.cohort_summary import left_out_sentence
from pancan.figures.style import label, ordered
from pancan.networks.registry import NETWORKS
from pancan.provenance import source_hash
from pancan.report.findings import (
    POOLED_NOTE,
    STRATIFICATION_NOTE,
    best_rank_sentence,
    clinical_sentences,
    edge_note,
    headline_table,
    pooled_finding,
    pooled_rows,
    stratification_rows,
)
from pancan.report.run_record import config_checksum
from pancan.representations.registry import REGISTRY

SOFTWARE = (
    "numpy",
    "scipy",
    "pandas",
    "scikit-learn",
    "scikit-survival",
    "lifelines",
    "numba",
    "snakemake",
    "matplotlib",
)
SOURCES = {
    "snapshot": "the bundled snapshot (resources/snapshot): TCGA mutation calls of the Broad Firehose 2016-01-28 "
    "MutSig2CV final analysis sets, overall survival and covariates of the Firehose 2016-01-28 clinical "
    "merge; the Pathway Commons v9 and STRING networks; see resources/snapshot/PROVENANCE.md",
    "cbioportal": "TCGA PanCanAtlas studies downloaded from the cBioPortal datahub, networks from their publishers "
    "(pinned by sha256 locks)",
    "local": "cBioPortal-format studies read from disk (pinned by sha256 locks)",
}


def list_table(table: pd.DataFrame, title: str = "") -> str:
    """An rst list-table (no width rules to break)."""
    lines = [f".. list-table:: {title}".rstrip(), "   :header-rows: 1", ""]
    for row in [list(table.columns), *table.astype(object).where(table.notna(), "").values.tolist()]:
        lines.append("   * - " + str(row[0]))
        lines += [f"     - {value}" for value in row[1:]]
    return "\n".join(lines) + "\n"


def _versions() -> str:
    versions = [f"pancan {__version__} (source {source_hash()})", f"Python {platform.python_version()}"]
    for package in SOFTWARE:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(versions)


def _setting_text(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key} {_setting_text(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "{" + ", ".join(map(str, value)) + "}"
    return str(value)


def _grids(benchmark: dict) -> str:
    """Each benchmarked representation's searched grid and own settings, from the registry (one line per grid)."""
    parts, seen = [], set()
    for name in benchmark["representations"]:
        entry = REGISTRY[name]
        keys = entry.job_settings()
        if not keys or keys in seen:
            continue
        seen.add(keys)
        searched = f"{entry.parameter} in {_setting_text(benchmark[entry.grid_key])}" if entry.grid_key else ""
        others = "; ".join(f"{key} {_setting_text(benchmark[key])}" for key in entry.settings)
        described = " ".join(part for part in (REGISTRY.label(entry.family), searched) if part)
        parts.append(f"{described} ({others})" if others else described)
    return "; ".join(parts)


def _protocol(config: dict) -> list[str]:
    benchmark = config["benchmark"]
    settings = BenchmarkSettings.from_config(config)
    model = settings.model_entry
    path = settings.path().describe()
    solver = f"; solver duality gap {benchmark['solver']['tol']:g}" if "solver" in model.settings else ""
    inner_seed = benchmark["inner_seed"] if benchmark["inner_seed"] is not None else "derived from the seed per fold"
    features = benchmark["max_features"] or "all"
    return [
        f"- **Model**: {model.label} ({path}{solver}).",
        f"- **Nested cross-validation**: {benchmark['outer_folds']} outer folds x {benchmark['outer_repeats']} "
        f"repeat{'s' if benchmark['outer_repeats'] > 1 else ''}"
        f" (stratified on the event{', from ' + benchmark['folds_file'] if benchmark['folds_file'] else ''}); "
        f"{benchmark['inner_folds']} inner folds (seed {inner_seed}) choose the parameter and the point of the "
        f"path by the {benchmark['inner_score'].replace('_', '-')} mean of the inner Harrell's C.",
        f"- **Grids**: {_grids(benchmark) or 'none'}; features kept: {features}.",
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


def _calls(config: dict) -> str:
    """Which calls were kept: classes and FILTER flags (mutations.classes, mutations.exclude_filters)."""
    mutations = config["mutations"]
    flags = mutations["exclude_filters"]
    dropped = f"calls flagged {', '.join(flags)} dropped" if flags else "no FILTER flag excluded"
    return f"{len(mutations['classes'])} variant classes kept; {dropped}"


def _network_filter(config: dict, main: str) -> str:
    """The configured edge filter of the main network, where its source has one (pancan.networks.registry)."""
    source = NETWORKS.entries.get(main)
    if source is None or source.edge_filter is None:
        return ""
    return f" ({source.edge_filter(config['networks'].get(main, {}))})"


def _endpoints(config: dict) -> str:
    """survival.endpoint, with the per-type overrides of survival.endpoint_by_cancer."""
    survival = config["survival"]
    overrides = survival.get("endpoint_by_cancer", {})
    shown = ", ".join(f"{cancer} {endpoint}" for cancer, endpoint in sorted(overrides.items()))
    return f"{survival['endpoint']}{f' ({shown})' if shown else ''}"


def _min_events(config: dict) -> int | None:
    return config["survival"].get("min_events")


def landing_page(
    config: dict,
    cohorts: pd.DataFrame,
    networks: pd.DataFrame,
    summary: pd.DataFrame,
    tests: pd.DataFrame,
    pan_cancer: pd.DataFrame,
    edges: pd.DataFrame,
    stratification: pd.DataFrame | None = None,
    data_files: dict[str, str] | None = None,
    pooled: pd.DataFrame | None = None,
) -> str:
    """reStructuredText of the report's first page. data_files: cancer type -> sha256 of its mutation file."""
    main = config["networks"]["main"]
    network = networks.set_index("network").loc[main]
    headline = headline_table(summary, edges, ordered)
    significant = tests[tests["q_value"] < 0.05]
    findings = [
        f"- {label(r.first)} vs {label(r.second)} ({r.scope}): mean difference {r.mean_difference:+.3f}, "
        f"p = {r.p_value:.2g}, q = {r.q_value:.2g}"
        for r in significant.itertuples()
    ]
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
        f"; endpoint {_endpoints(config)}.",
        *([f"- **Left out**: {left_out}."] if (left_out := left_out_sentence(cohorts, _min_events(config))) else []),
        f"- **Mutation calls**: {_calls(config)}.",
        *(
            [
                "- **Mutation files** (sha256, first 16 hex digits): "
                + ", ".join(f"{cancer} ``{digest[:16]}``" for cancer, digest in data_files.items())
                + "."
            ]
            if data_files
            else []
        ),
        f"- **Network**: {main.replace('_', ' ')}{_network_filter(config, main)}, {int(network['nodes']):,} genes, "
        f"{int(network['edges']):,} edges.",
        *_protocol(config),
        f"- **Software**: {_versions()}.",
        "",
        "What was found",
        "--------------",
        "",
        best_rank_sentence(pan_cancer, len(headline)),
        "",
        *[sentence + "\n" for sentence in clinical_sentences(summary, tests)],
        *(
            ["Paired differences with Benjamini-Hochberg q < 0.05:", "", *findings]
            if findings
            else [f"No paired difference reaches q < 0.05 ({len(tests)} tests, Benjamini-Hochberg over all of them)."]
        ),
        "",
        list_table(headline, "Mean Harrell's C over the outer test folds [95% interval]"),
        *([edge_note(edges), ""] if edge_note(edges) else []),
        *(
            [
                POOLED_NOTE + " Per type: the Pan-cancer pooled section (figure and table) and results/summary.md.",
                "",
                pooled_finding(pooled),
                "",
                list_table(pooled_rows(pooled, cancers=False), "Pooled pan-cancer model"),
            ]
            if pooled is not None
            else []
        ),
        *(
            [STRATIFICATION_NOTE, "", list_table(stratification_rows(stratification), "Stratification (NBS)")]
            if stratification is not None
            else []
        ),
        "The figures and tables are in the categories of the menu (Benchmark, Pan-cancer, Kaplan-Meier, Selected "
        f"genes, Cohorts{', Stratification' if config['stratification']['enabled'] else ''}); results/summary.md "
        "holds the benchmark's tables as text.",
        "",
    ]
    return "\n".join(lines)
