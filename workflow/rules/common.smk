# Shared helpers: selected cancer types and networks, and where each rule's inputs come from.
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from pancan.config_validation import schema_default, workflow_relative
from pancan.data import cancer_types, cohort_summary, local_studies
from pancan.provenance import code_hash
from pancan.benchmark.comparisons import configured_comparisons
from pancan.benchmark.settings import job_setting_keys
from pancan.networks.registry import NETWORKS as NETWORK_REGISTRY
from pancan.representations import registry


def code_version(script):
    """Hash of a script and of the package modules it imports, given to its rule as the `code` parameter.

    Editing any of them reruns the jobs of that rule; Snakemake itself watches the script only.
    """
    return code_hash(Path(workflow.basedir) / "scripts" / script)


def workflow_path(*keys):
    """A path setting; its relative default names a folder shipped with the workflow (see workflow_relative)."""
    value = config
    for key in keys:
        value = value[key]
    return workflow_relative(
        value, schema_default(CONFIG_SCHEMA, *keys), workflow.basedir
    )


SNAPSHOT_DIR = workflow_path("snapshot_dir")
# Locks belong to the analysis: a relative lock_dir is in the working directory (-d), never the workflow's.
LOCK_DIR = config["download"]["lock_dir"]
DOWNLOAD_DIR = "results/download"
LOCAL_DIR = "results/local"
# Where networks come from: the snapshot's tables, or the publishers' files (downloaded or file://).
NETWORK_SOURCE = {
    "snapshot": "snapshot",
    "cbioportal": "download",
    "local": config["local"]["networks"],
}[config["data_source"]]


def snapshot_cancer_types():
    """Types with mutation calls in the bundled snapshot (SKCM has survival only)."""
    root = Path(SNAPSHOT_DIR) / "tcga"
    if not root.is_dir():
        raise ValueError(f"{root}: snapshot folder not found (config snapshot_dir)")
    return sorted(p.name for p in root.iterdir() if (p / "mutations.tsv.gz").exists())


def selected_cancer_types():
    """The configured cancer types, checked against what the data source provides ([all]: every type it has)."""
    requested = config["cancer_types"]
    source = config["data_source"]
    coadread = config["cbioportal"]["coadread"]
    if source == "cbioportal":
        return cancer_types.cbioportal_selection(
            requested,
            config["cbioportal"]["default_cancer_types"],
            config["cbioportal"]["study_id"],
            schema_default(CONFIG_SCHEMA, "cbioportal", "study_id"),
            coadread,
        )
    if source == "local":
        local = config["local"]
        found = local_studies.discover_studies(local["studies"], local["study_pattern"])
        return cancer_types.local_selection(
            requested, found, local["study_pattern"], coadread
        )
    return cancer_types.snapshot_selection(requested, snapshot_cancer_types())


CANCERS = selected_cancer_types()
# Types the run names: one with too few events of its endpoint is an error (at its cohort). With cancer_types
# [all] or empty, such a type is left out of the benchmark and the stratification, as the cohort summary says.
NAMED_TYPES = cancer_types.named_explicitly(config["cancer_types"])


def study_label(cancer):
    """The study a type is read from: COAD and READ from the combined COADREAD study, unless a local COAD has its own."""
    source = config["data_source"]
    if source == "cbioportal":
        return cancer_types.cbioportal_study_label(cancer)
    if source == "local":
        local = config["local"]
        return local_studies.study_label(
            cancer, local["studies"], local["study_pattern"]
        )
    return cancer


def cancer_endpoint(cancer):
    """The type's survival endpoint: survival.endpoint_by_cancer's entry, else survival.endpoint."""
    survival = config["survival"]
    return survival["endpoint_by_cancer"].get(cancer, survival["endpoint"])


def cohort_survival_settings(wildcards):
    """The survival settings one cohort depends on (its endpoint; min_events only when the run names its types)."""
    survival = config["survival"]
    return {
        "endpoint": cancer_endpoint(wildcards.cancer),
        "endpoint_by_cancer": {},
        "days_per_month": survival["days_per_month"],
        "drop_zero_time": survival["drop_zero_time"],
        "min_events": survival["min_events"] if NAMED_TYPES else None,
    }


_LEFT_OUT_SHOWN = set()


def benchmarked_cancers():
    """The types benchmarked and stratified: every named type, else those with survival.min_events events.

    With cancer_types [all] or empty this depends on the data, so it is read from the cohort summary, the
    output of checkpoint summarize_cohorts: call it from input functions only. The types left out are
    logged once per run. A summary of an earlier run (other types, or written before pancan decided) is
    read for the configured types only, until the checkpoint's rerun replaces it.
    """
    if NAMED_TYPES:
        return list(CANCERS)
    summary = pd.read_csv(checkpoints.summarize_cohorts.get().output.summary, sep="\t")
    summary = summary[summary["cancer"].isin(CANCERS)]
    if "benchmarked" not in summary.columns:
        return summary["cancer"].tolist()
    left_out = cohort_summary.left_out_sentence(
        summary, config["survival"]["min_events"]
    )
    if left_out and left_out not in _LEFT_OUT_SHOWN:
        _LEFT_OUT_SHOWN.add(left_out)
        logger.warning(f"{left_out} (results/cohorts/summary.tsv)")
    return summary.loc[summary["benchmarked"].astype(bool), "cancer"].tolist()


def stratification_targets(cancers):
    """The stratification stage's tables and figures of these types (the benchmarked ones, for the default target)."""
    stratification = config["stratification"]
    if not stratification["enabled"]:
        return []
    return (
        expand(
            "results/stratification/{cancer}/{representation}/{table}",
            cancer=cancers,
            representation=stratification["representations"],
            table=["model_selection.tsv", "logrank.tsv", "cox.tsv", "signatures.tsv"],
        )
        + expand(
            "results/report/stratification/{figure}/{cancer}_{representation}.png",
            figure=["consensus", "kaplan_meier", "signatures"],
            cancer=cancers,
            representation=stratification["representations"],
        )
        + expand(
            "results/report/stratification/model_selection/{cancer}.png",
            cancer=cancers,
        )
    )


def stratification_summary_inputs(wildcards):
    """The stage's tables of every benchmarked type x representation, named <cancer>/<representation>/<table>."""
    return {
        f"{cancer}/{representation}/{table}": f"results/stratification/{cancer}/{representation}/{table}.tsv"
        for cancer in benchmarked_cancers()
        for representation in config["stratification"]["representations"]
        for table in ("model_selection", "logrank", "assignments")
    }


def landing_data_files(wildcards):
    """Each benchmarked type's mutation file, named data/<cancer>: the landing page prints its sha256."""
    return {
        f"data/{cancer}": cohort_inputs(SimpleNamespace(cancer=cancer))["mutations"]
        for cancer in benchmarked_cancers()
    }


def stratification_report_input(wildcards):
    """results/stratification/summary.tsv for the landing page and summary.md, when the stage runs."""
    return (
        {"stratification": "results/stratification/summary.tsv"}
        if config["stratification"]["enabled"]
        else {}
    )


def pooled_report_input(wildcards):
    """results/benchmark/pooled/summary.tsv for the landing page and summary.md, with benchmark.pooled."""
    return {"pooled": "results/benchmark/pooled/summary.tsv"} if POOLED else {}


def per_cancer_report_targets(wildcards):
    """Rule all's per-type figures and stratification tables, of the benchmarked types."""
    cancers = benchmarked_cancers()
    return (
        expand("results/report/kaplan_meier/{cancer}.png", cancer=cancers)
        + expand("results/report/selected_genes/{cancer}.png", cancer=cancers)
        + stratification_targets(cancers)
    )


NETWORKS = config["networks"]["use"]
if config["networks"]["main"] not in NETWORKS:
    raise ValueError(
        f"networks.main {config['networks']['main']!r} must be listed in networks.use {NETWORKS}"
    )
# The sources of networks.use: pancan.networks.registry (the files each downloads, its reader, its snapshot table).
UNBUNDLED = [name for name in NETWORKS if NETWORK_REGISTRY[name].snapshot is None]
if NETWORK_SOURCE == "snapshot" and UNBUNDLED:
    raise ValueError(
        f"networks.use {UNBUNDLED}: not in the bundled snapshot; download them "
        "(data_source: cbioportal, or local with local.networks: download)"
    )


NETWORK_CONTROLS = registry.NETWORK_CONTROLS
# the main network or one of its randomised controls (rules that read either)
NETWORK_OR_CONTROL = (
    "(" + "|".join(NETWORKS) + ")(" + "|".join(f"_{c}" for c in NETWORK_CONTROLS) + ")?"
)


wildcard_constraints:
    cancer="[A-Z0-9]+",
    study="[A-Z0-9]+",
    control="|".join(NETWORK_CONTROLS),
    repeat="[0-9]+",
    network="|".join(NETWORKS),
    resource="|".join(NETWORK_REGISTRY.file_names()),
    normalization="symmetric|degree",
    alpha="[0-9.]+",


def cohort_inputs(wildcards):
    """Raw per-type files: the snapshot's, or the study files downloaded or imported from disk."""
    if config["data_source"] == "snapshot":
        root = f"{SNAPSHOT_DIR}/tcga/{wildcards.cancer}"
        return {
            "mutations": f"{root}/mutations.tsv.gz",
            "survival": f"{root}/survival.tsv",
            "clinical": f"{root}/clinical.tsv",
        }
    folder = "local" if config["data_source"] == "local" else "download/cbioportal"
    root = f"results/{folder}/{study_label(wildcards.cancer)}"
    return {
        "mutations": f"{root}/data_mutations.txt",
        "clinical_patient": f"{root}/data_clinical_patient.txt",
        "clinical_sample": f"{root}/data_clinical_sample.txt",
        "case_list": f"{root}/cases_sequenced.txt",
    }


def local_study(study):
    """The study on disk of a study label (data_source: local): a cancer type, or COADREAD."""
    local = config["local"]
    return local_studies.study_location(study, local["studies"], local["study_pattern"])


def local_files(study):
    """The files an import of a study reads (an archive, or a study folder's files)."""
    local = config["local"]
    origin = local_studies.study_origin(study, local["studies"], local["study_pattern"])
    return local_studies.study_files(local_study(study), origin)


def local_study_files(wildcards):
    """The files an import reads, as its input, so editing them reruns it."""
    return local_files(wildcards.study)


COHORT_OUTPUTS = [
    "mutations.npz",
    "patients.tsv",
    "genes.txt",
    "clinical.tsv",
    "endpoints.tsv",
    "dropped.tsv",
]


def cohort_downstream(wildcards):
    """What a refused import or download of a study removes: the cohorts built from it and the cohort summary.

    The cohorts are those of every type the study gives (COADREAD: COAD, READ and COADREAD whole). The
    summary is a target of every plain run, so the next run rebuilds the cohorts, which redoes the
    import or download (refused again until the lock is deleted or the data restored) and, once it
    passes, everything built from the cohorts.
    """
    types = [
        wildcards.study,
        *cancer_types.COMBINED_STUDIES.get(wildcards.study, ()),
    ]
    return [
        f"results/cohorts/{cancer}/{name}"
        for cancer in types
        for name in COHORT_OUTPUTS
    ] + ["results/cohorts/summary.tsv"]


def cohort_sources(wildcards):
    """The user's files behind a cohort's raw inputs, so a cohort error names them rather than their copies."""
    source = config["data_source"]
    if source == "snapshot":
        return {}
    study = study_label(wildcards.cancer)
    if source == "cbioportal":
        url = cbioportal_study_url(study)
        return {
            "mutations": f"{url} (its MAF)",
            "clinical_patient": f"{url} (its clinical patient file)",
            "clinical_sample": f"{url} (its clinical sample file)",
            "case_list": f"{url} (its case_lists/cases_sequenced.txt)",
        }
    files = local_files(study)
    if "archive" in files:
        archive = files["archive"]
        return {
            "mutations": f"{archive} (its MAF)",
            "clinical_patient": f"{archive} (its clinical patient file)",
            "clinical_sample": f"{archive} (its clinical sample file)",
            "case_list": f"{archive} (its case_lists/cases_sequenced.txt)",
        }
    return files


def network_download(file):
    """Where a network file is downloaded to (`file`: its key of network_urls)."""
    return f"{DOWNLOAD_DIR}/networks/{file}.txt.gz"


def network_settings(resource):
    """The settings a network file is validated with: those of the network it belongs to."""
    return config["networks"].get(NETWORK_REGISTRY.source_of(resource).name, {})


def network_download_inputs(wildcards):
    """The files of its source a file is validated against (pinned first), e.g. STRING links against its info file."""
    source = NETWORK_REGISTRY.source_of(wildcards.resource)
    return {
        need: network_download(need) for need in source.file(wildcards.resource).needs
    }


def network_downstream(wildcards):
    """What a refused network download removes: the network built from the file, and the networks summary."""
    name = NETWORK_REGISTRY.source_of(wildcards.resource).name
    return [
        f"results/networks/{name}/{file}"
        for file in ["adjacency.npz", "genes.txt", "summary.tsv"]
    ] + ["results/cohorts/networks.tsv"]


def network_inputs(wildcards):
    """The network's source files: bundled, or downloaded from the publisher."""
    source = NETWORK_REGISTRY[wildcards.network]
    if NETWORK_SOURCE == "snapshot":
        return {"table": f"{SNAPSHOT_DIR}/{source.snapshot}"}
    return {file: network_download(file) for file in source.file_names()}


def cbioportal_study(cancer):
    """Datahub study identifier of a cancer type, e.g. luad_tcga_pan_can_atlas_2018."""
    return config["cbioportal"]["study_id"].format(
        cancer=cancer, cancer_lower=cancer.lower()
    )


def cbioportal_study_url(cancer):
    """Archive URL of a cancer type's datahub study."""
    return config["cbioportal"]["study_url"].format(study=cbioportal_study(cancer))


def download_options():
    """Timeout, retries and backoff of every download."""
    options = config["download"]
    return {
        "timeout": options["timeout_seconds"],
        "retries": options["retries"],
        "backoff": options["backoff_seconds"],
    }


def alpha_label(alpha):
    """Smoothing alpha as it appears in file names (0.7 -> '0.7')."""
    return f"{float(alpha):g}"


def smoothed_profiles(cancer, network, normalization, alphas):
    """Paths of the cached smoothed profiles of one cohort, one per alpha."""
    return [
        f"results/representations/{cancer}/{network}/smoothed_{normalization}_alpha{alpha_label(a)}.npy"
        for a in alphas
    ]


# Benchmark stage: what each representation needs (network, smoothing, settings) comes from
# pancan.representations.registry.

REGISTRY = registry.REGISTRY
BENCHMARK_REPRESENTATIONS = list(config["benchmark"]["representations"])
JOB_REPRESENTATIONS = BENCHMARK_REPRESENTATIONS + (
    ["clinical"] if config["benchmark"]["clinical"] else []
)
REPEATS = list(range(config["benchmark"]["outer_repeats"]))


wildcard_constraints:
    representation="|".join(JOB_REPRESENTATIONS),


def benchmark_inputs(wildcards):
    """Cohort and network files, the randomised network of a control, cached smoothings, the folds file."""
    entry = REGISTRY[wildcards.representation]
    main = config["networks"]["main"]
    cohort = f"results/cohorts/{wildcards.cancer}"
    inputs = {
        "patients": f"{cohort}/patients.tsv",
        "mutations": f"{cohort}/mutations.npz",
        "genes": f"{cohort}/genes.txt",
        "clinical": f"{cohort}/clinical.tsv",
        "network_adjacency": f"results/networks/{main}/adjacency.npz",
        "network_genes": f"results/networks/{main}/genes.txt",
    }
    network = entry.network_name(main) or main
    if entry.network in NETWORK_CONTROLS:
        inputs["control_adjacency"] = f"results/networks/{network}/adjacency.npz"
        inputs["control_genes"] = f"results/networks/{network}/genes.txt"
    if entry.smoothing:
        settings = config["benchmark"]
        inputs["smoothed"] = smoothed_profiles(
            wildcards.cancer,
            network,
            settings["smoothing"]["normalization"],
            sorted(settings["smoothing_alpha"]),
        )
    if folds_file():
        inputs["folds_file"] = folds_file()
    return inputs


def folds_file():
    """benchmark.folds_file, looked up in the working directory, then in the workflow's (shipped tables)."""
    path = config["benchmark"]["folds_file"]
    if path and not Path(path).is_absolute() and not Path(path).exists():
        shipped = Path(workflow.basedir) / path
        if shipped.exists():
            return str(shipped)
    return path


EVALUATION_TABLES = ("metrics", "predictions", "coefficients", "inner")


def evaluation_outputs(repeats):
    """The tables of an evaluation job: of one repeat ("{repeat}", a wildcard) or of every repeat."""
    if isinstance(repeats, str):
        return {
            kind: f"results/benchmark/{{cancer}}/{{representation}}/repeat{repeats}_{kind}.tsv"
            for kind in EVALUATION_TABLES
        }
    return {
        kind: expand(
            "results/benchmark/{{cancer}}/{{representation}}/repeat{repeat}_{kind}.tsv",
            repeat=repeats,
            kind=kind,
        )
        for kind in EVALUATION_TABLES
    }


def benchmark_outputs(cancer, kind):
    return expand(
        "results/benchmark/{cancer}/{representation}/repeat{repeat}_{kind}.tsv",
        cancer=cancer,
        representation=JOB_REPRESENTATIONS,
        repeat=REPEATS,
        kind=kind,
    )


def evaluation_priority(wildcards):
    """The size of the representation's grid: larger grids (more paths per job) first, so the longest evaluation
    jobs start early and the short ones fill the end of a run, instead of one core waiting for a long job that
    started last. Rules without a priority (0: the stratification stage) run after the evaluation jobs.
    """
    grid = REGISTRY[wildcards.representation].grid(
        SimpleNamespace(section=config["benchmark"])
    )
    return len(grid)  # 1 without a grid


def evaluation_settings(wildcards):
    """The benchmark settings one job depends on: the engine's, its model's and its representation's own.

    A job's params hold just these, so changing one representation's grid reruns only its jobs.
    """
    settings = config["benchmark"]
    keys = job_setting_keys(wildcards.representation, settings["model"])
    return {key: settings[key] for key in keys}


# The pooled pan-cancer model (benchmark.pooled): one job per representation over every benchmarked type.
POOLED = config["benchmark"]["pooled"]
POOLED_TARGETS = (
    ["results/benchmark/pooled/summary.tsv", "results/report/pooled.png"]
    if POOLED
    else []
)
POOLED_COHORT_FILES = ("patients", "mutations", "genes", "clinical")


def pooled_inputs(wildcards):
    """Every benchmarked type's cohort files (in the same order), the network, each type's cached smoothings
    and benchmark.folds_file (the pooled folds are the union of the per-type ones)."""
    inputs = {}
    for cancer in benchmarked_cancers():
        one = benchmark_inputs(
            SimpleNamespace(cancer=cancer, representation=wildcards.representation)
        )
        for key, value in one.items():
            if key in POOLED_COHORT_FILES:
                inputs.setdefault(key, []).append(value)
            elif key == "smoothed":  # per type, its alphas in increasing order
                inputs.setdefault(key, []).extend(value)
            else:
                inputs[key] = value
    return inputs


# Stratification stage (workflow/rules/stratification.smk): where each rule's inputs come from.
def stratification_network(representation):
    """The network a representation is clustered on (registry): None, the main one or its randomised control."""
    return REGISTRY[representation].network_name(config["networks"]["main"])


def stratification_profile_inputs(wildcards):
    """Cohort, network and (NBS) the cached propagated profiles of one representation."""
    cohort = f"results/cohorts/{wildcards.cancer}"
    inputs = {
        "patients": f"{cohort}/patients.tsv",
        "mutations": f"{cohort}/mutations.npz",
        "genes": f"{cohort}/genes.txt",
        "clinical": f"{cohort}/clinical.tsv",
    }
    network = stratification_network(wildcards.representation)
    if network:
        inputs["network_adjacency"] = f"results/networks/{network}/adjacency.npz"
        inputs["network_genes"] = f"results/networks/{network}/genes.txt"
    if REGISTRY[wildcards.representation].smoothing:
        inputs["smoothed"] = smoothed_profiles(
            wildcards.cancer, network, "degree", [STRATIFICATION["alpha"]]
        )[0]
    return inputs


def signature_network_inputs(wildcards):
    """The network a subtype's signature module is read on: the representation's own, the main one for raw."""
    network = (
        stratification_network(wildcards.representation) or config["networks"]["main"]
    )
    return {
        "network_adjacency": f"results/networks/{network}/adjacency.npz",
        "network_genes": f"results/networks/{network}/genes.txt",
    }


def stratification_subsample_inputs(wildcards):
    """Profiles, the influence graph when the subsamples are factorised with network NMF, and under
    pyNBS's scheme (propagated and binary profiles) the cohort's mutations and the network subsamples
    are propagated on.
    """
    inputs = {
        "profiles": f"results/stratification/{wildcards.cancer}/{wildcards.representation}/profiles.npz"
    }
    network = stratification_network(wildcards.representation)
    if network and STRATIFICATION["factorization"] == "network_nmf":
        inputs["influence"] = (
            f"results/stratification/networks/{network}/influence_knn.npz"
        )
    clustering = REGISTRY[wildcards.representation].clustering
    if STRATIFICATION["scheme"] == "pynbs" and clustering != "netnorm":
        cohort = f"results/cohorts/{wildcards.cancer}"
        inputs.update(
            patients=f"{cohort}/patients.tsv",
            mutations=f"{cohort}/mutations.npz",
            genes=f"{cohort}/genes.txt",
            clinical=f"{cohort}/clinical.tsv",
        )
        if network:
            inputs["network_adjacency"] = f"results/networks/{network}/adjacency.npz"
            inputs["network_genes"] = f"results/networks/{network}/genes.txt"
    return inputs


def stratification_runs(wildcards):
    """Subsample indices of one batch job."""
    size = STRATIFICATION["subsamples_per_job"]
    start = int(wildcards.batch) * size
    return list(range(start, min(start + size, STRATIFICATION["subsamples"])))
