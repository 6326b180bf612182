# Benchmark stage: nested cross-validation, one job per (cancer type, representation, outer repeat).
# What each representation needs (network, smoothing, settings) comes from pancan.representations.registry.
from pancan.benchmark.protocol import SHARED_SETTINGS

REGISTRY = registry.REGISTRY
BENCHMARK_REPRESENTATIONS = list(config["benchmark"]["representations"])
JOB_REPRESENTATIONS = BENCHMARK_REPRESENTATIONS + (
    ["clinical"] if config["benchmark"]["clinical"] else []
)
REPEATS = list(range(config["benchmark"]["outer_repeats"]))


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
    network = main
    if entry.network in NETWORK_CONTROLS:
        network = f"{main}_{entry.network}"
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
    if config["benchmark"]["folds_file"]:
        inputs["folds_file"] = config["benchmark"]["folds_file"]
    return inputs


def benchmark_outputs(cancer, kind):
    return expand(
        "results/benchmark/{cancer}/{representation}/repeat{repeat}_{kind}.tsv",
        cancer=cancer,
        representation=JOB_REPRESENTATIONS,
        repeat=REPEATS,
        kind=kind,
    )


def evaluation_settings(wildcards):
    """The benchmark settings one job depends on: the shared ones and its representation's own.

    A job's params hold just these, so changing one representation's grid reruns only its jobs.
    """
    settings = config["benchmark"]
    keys = SHARED_SETTINGS + REGISTRY[wildcards.representation].job_settings()
    return {key: settings[key] for key in keys}


rule randomize_network:
    """A permuted-label or degree-preserving rewired copy of a network (seeded), for the network controls."""
    input:
        adjacency="results/networks/{network}/adjacency.npz",
        genes="results/networks/{network}/genes.txt",
    output:
        adjacency="results/networks/{network}_{control}/adjacency.npz",
        genes="results/networks/{network}_{control}/genes.txt",
    log:
        "logs/networks/randomize_network_{network}_{control}.log",
    benchmark:
        "benchmarks/networks/randomize_network_{network}_{control}.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=20,
    params:
        seed=config["seed"],
        swaps_per_edge=config["benchmark"]["swaps_per_edge"],
    script:
        "../../scripts/randomize_network.py"


rule evaluate_representation:
    """Nested cross-validation of one representation on one cancer type, one outer repeat."""
    wildcard_constraints:
        representation="|".join(JOB_REPRESENTATIONS),
    input:
        unpack(benchmark_inputs),
    output:
        metrics="results/benchmark/{cancer}/{representation}/repeat{repeat}_metrics.tsv",
        predictions="results/benchmark/{cancer}/{representation}/repeat{repeat}_predictions.tsv",
        coefficients="results/benchmark/{cancer}/{representation}/repeat{repeat}_coefficients.tsv",
    log:
        "logs/benchmark/evaluate_representation_{cancer}_{representation}_{repeat}.log",
    benchmark:
        "benchmarks/benchmark/evaluate_representation_{cancer}_{representation}_{repeat}.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        # measured on BRCA (docs/benchmarks.md): NSQN 1.07 GB peak, others <= 0.4 GB; about 2.5x headroom
        mem_mb=lambda wildcards: 1500 if REGISTRY[wildcards.representation].smoothing else 1000,
        runtime=30,
    params:
        settings=evaluation_settings,
        seed=config["seed"],
    script:
        "../../scripts/evaluate_representation.py"


rule summarize_cancer:
    """All folds of one cancer type, plus the mutation + clinical rank-average combinations."""
    input:
        patients="results/cohorts/{cancer}/patients.tsv",
        metrics=lambda wildcards: benchmark_outputs(wildcards.cancer, "metrics"),
        predictions=lambda wildcards: benchmark_outputs(wildcards.cancer, "predictions"),
        coefficients=lambda wildcards: benchmark_outputs(
            wildcards.cancer, "coefficients"
        ),
    output:
        folds="results/benchmark/{cancer}/folds.tsv",
        predictions="results/benchmark/{cancer}/predictions.tsv",
        coefficients="results/benchmark/{cancer}/coefficients.tsv",
    log:
        "logs/benchmark/summarize_cancer_{cancer}.log",
    benchmark:
        "benchmarks/benchmark/summarize_cancer_{cancer}.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        representations=BENCHMARK_REPRESENTATIONS,
        clinical=config["benchmark"]["clinical"],
        uno_tau=config["benchmark"]["uno_tau"],
    script:
        "../../scripts/summarize_cancer.py"


rule summarize_benchmark:
    """The cross-cancer fold table, the mean/sd summary and the paired tests."""
    input:
        folds=expand("results/benchmark/{cancer}/folds.tsv", cancer=CANCERS),
    output:
        folds="results/benchmark/folds.tsv",
        summary=report(
            "results/benchmark/summary.tsv",
            caption="../report/benchmark_summary.rst",
            category="Benchmark",
        ),
        wilcoxon=report(
            "results/benchmark/wilcoxon.tsv",
            caption="../report/benchmark_wilcoxon.rst",
            category="Benchmark",
        ),
    log:
        "logs/benchmark/summarize_benchmark.log",
    benchmark:
        "benchmarks/benchmark/summarize_benchmark.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        comparisons=config["benchmark"]["comparisons"],
    script:
        "../../scripts/summarize_benchmark.py"
