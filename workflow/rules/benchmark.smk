# Benchmark stage: nested cross-validation, one job per (cancer type, representation, outer repeat).
# What each representation needs (network, smoothing, settings) comes from pancan.representations.registry.
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
    # before the evaluation jobs (evaluation_priority), which wait for it: the controls' then start early too
    priority: 1000
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=20,
    params:
        code=code_version("randomize_network.py"),
        seed=config["seed"],
        swaps_per_edge=config["benchmark"]["swaps_per_edge"],
    script:
        "../../scripts/randomize_network.py"


if config["benchmark"]["job_per_repeat"]:

    rule evaluate_representation:
        """Nested cross-validation of one representation on one cancer type, one outer repeat (the cluster's unit)."""
        input:
            unpack(benchmark_inputs),
        output:
            **evaluation_outputs("{repeat}"),
        log:
            "logs/benchmark/evaluate_representation_{cancer}_{representation}_{repeat}.log",
        benchmark:
            "benchmarks/benchmark/evaluate_representation_{cancer}_{representation}_{repeat}.tsv"
        priority: evaluation_priority
        conda:
            "../../envs/pancan.yaml"
        threads: 1
        resources:
            # measured (docs/benchmarks.md, default grids): NSQN up to 0.8 GB, others <= 0.45 GB
            mem_mb=lambda wildcards: (
                1500 if REGISTRY[wildcards.representation].smoothing else 1000
            ),
            runtime=30,
        params:
            code=code_version("evaluate_representation.py"),
            settings=evaluation_settings,
            seed=config["seed"],
            repeats=lambda wildcards: [int(wildcards.repeat)],
        script:
            "../../scripts/evaluate_representation.py"

else:

    rule evaluate_representation:
        """Nested cross-validation of one representation on one cancer type, every outer repeat in one process.

        The same tables as one job per repeat, without starting a Python process per repeat,
        and with each patient's representation computed once for all repeats.
        """
        input:
            unpack(benchmark_inputs),
        output:
            **evaluation_outputs(REPEATS),
        log:
            "logs/benchmark/evaluate_representation_{cancer}_{representation}.log",
        benchmark:
            "benchmarks/benchmark/evaluate_representation_{cancer}_{representation}.tsv"
        priority: evaluation_priority
        conda:
            "../../envs/pancan.yaml"
        threads: 1
        resources:
            mem_mb=lambda wildcards: (
                1500 if REGISTRY[wildcards.representation].smoothing else 1000
            ),
            runtime=30 * len(REPEATS),
        params:
            code=code_version("evaluate_representation.py"),
            settings=evaluation_settings,
            seed=config["seed"],
            repeats=REPEATS,
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
        code=code_version("summarize_cancer.py"),
        representations=BENCHMARK_REPRESENTATIONS,
        clinical=config["benchmark"]["clinical"],
        uno_tau=config["benchmark"]["uno_tau"],
    script:
        "../../scripts/summarize_cancer.py"


rule summarize_benchmark:
    """The cross-cancer fold table, the mean/sd summary, the paired tests (with q-values) and the pan-cancer comparison."""
    input:
        folds=lambda wildcards: expand(
            "results/benchmark/{cancer}/folds.tsv", cancer=benchmarked_cancers()
        ),
    output:
        folds="results/benchmark/folds.tsv",
        summary=report(
            "results/benchmark/summary.tsv",
            caption="../report/benchmark_summary.rst",
            category="Benchmark",
            labels={"table": "C-index per cancer type and representation"},
        ),
        tests=report(
            "results/benchmark/paired_tests.tsv",
            caption="../report/benchmark_tests.rst",
            category="Benchmark",
            labels={"table": "paired tests with q-values"},
        ),
        pan_cancer=report(
            "results/benchmark/pan_cancer.tsv",
            caption="../report/pan_cancer_table.rst",
            category="Pan-cancer",
            labels={"table": "mean rank and C across cancer types"},
        ),
        grid_edges=report(
            "results/benchmark/grid_edges.tsv",
            caption="../report/grid_edges.rst",
            category="Benchmark",
            labels={"table": "choices at the edge of their grid"},
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
        code=code_version("summarize_benchmark.py"),
        comparisons=configured_comparisons(config["benchmark"]),
        representations=BENCHMARK_REPRESENTATIONS,
    script:
        "../../scripts/summarize_benchmark.py"


rule evaluate_pooled:
    """Pooled pan-cancer model of one representation: every benchmarked type's training patients together,
    compared within a type only (stratified ranking loss), on the union of each type's own outer folds.

    Writes the stratified C and chosen parameter and penalty per outer fold (folds.tsv), the pooled
    model's C on each type's test patients (per_type.tsv), the test predictions and the coefficients.
    """
    input:
        unpack(pooled_inputs),
    output:
        folds="results/benchmark/pooled/{representation}/folds.tsv",
        per_type="results/benchmark/pooled/{representation}/per_type.tsv",
        predictions="results/benchmark/pooled/{representation}/predictions.tsv",
        coefficients="results/benchmark/pooled/{representation}/coefficients.tsv",
    log:
        "logs/benchmark/evaluate_pooled_{representation}.log",
    benchmark:
        "benchmarks/benchmark/evaluate_pooled_{representation}.tsv"
    # the longest evaluation jobs (every benchmarked type at once): first of all
    priority: lambda wildcards: 100 + evaluation_priority(wildcards)
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        # every type's patients in one process: about the sum of the per-type jobs' memory
        mem_mb=lambda wildcards: (
            4000 if REGISTRY[wildcards.representation].smoothing else 2500
        ),
        runtime=60 * len(REPEATS),
    params:
        code=code_version("evaluate_pooled.py"),
        settings=evaluation_settings,
        seed=config["seed"],
        repeats=REPEATS,
    script:
        "../../scripts/evaluate_pooled.py"


rule summarize_pooled:
    """Each pooled model against the per-type models on the same test patients: mean C with 95% intervals per
    type and over every type (stratified C), and the corrected paired test of each difference (with q-values).
    """
    input:
        per_type=expand(
            "results/benchmark/pooled/{representation}/per_type.tsv",
            representation=BENCHMARK_REPRESENTATIONS,
        ),
        folds=expand(
            "results/benchmark/pooled/{representation}/folds.tsv",
            representation=BENCHMARK_REPRESENTATIONS,
        ),
        predictions=expand(
            "results/benchmark/pooled/{representation}/predictions.tsv",
            representation=BENCHMARK_REPRESENTATIONS,
        ),
        type_folds="results/benchmark/folds.tsv",
        type_predictions=lambda wildcards: expand(
            "results/benchmark/{cancer}/predictions.tsv", cancer=benchmarked_cancers()
        ),
        patients=lambda wildcards: expand(
            "results/cohorts/{cancer}/patients.tsv", cancer=benchmarked_cancers()
        ),
    output:
        summary=report(
            "results/benchmark/pooled/summary.tsv",
            caption="../report/pooled_summary.rst",
            category="Pan-cancer pooled",
            labels={"table": "pooled against per-type models"},
        ),
    log:
        "logs/benchmark/summarize_pooled.log",
    benchmark:
        "benchmarks/benchmark/summarize_pooled.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        code=code_version("summarize_pooled.py"),
    script:
        "../../scripts/summarize_pooled.py"
