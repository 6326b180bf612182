# Benchmark stage: nested cross-validation, one job per (cancer type, representation, outer repeat).


rule randomize_network:
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
        mem_mb=lambda wildcards: (
            2500
            if wildcards.representation.startswith(("nsqn", "smoothing"))
            else 1000
        ),
        runtime=30,
    params:
        settings=evaluation_settings,
        seed=config["seed"],
    script:
        "../../scripts/evaluate_representation.py"


rule summarize_cancer:
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
    script:
        "../../scripts/summarize_cancer.py"


rule summarize_benchmark:
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
