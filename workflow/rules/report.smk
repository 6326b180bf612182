# Report stage: figures (PNG for the HTML report, SVG for papers) and results/summary.md.


rule plot_cohort_overview:
    input:
        summary="results/cohorts/summary.tsv",
        patients=expand("results/cohorts/{cancer}/patients.tsv", cancer=CANCERS),
    output:
        png=report(
            "results/report/cohort_overview.png",
            caption="../report/cohort_overview.rst",
            category="Cohorts",
        ),
        svg="results/report/cohort_overview.svg",
    log:
        "logs/report/plot_cohort_overview.log",
    benchmark:
        "benchmarks/report/plot_cohort_overview.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        cancers=CANCERS,
    script:
        "../../scripts/plot_report_figure.py"


rule plot_cindex:
    input:
        folds="results/benchmark/folds.tsv",
        wilcoxon="results/benchmark/wilcoxon.tsv",
    output:
        png=report(
            "results/report/cindex.png",
            caption="../report/cindex.rst",
            category="Benchmark",
        ),
        svg="results/report/cindex.svg",
    log:
        "logs/report/plot_cindex.log",
    benchmark:
        "benchmarks/report/plot_cindex.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../../scripts/plot_report_figure.py"


rule plot_hyperparameters:
    input:
        folds="results/benchmark/folds.tsv",
    output:
        png=report(
            "results/report/hyperparameters.png",
            caption="../report/hyperparameters.rst",
            category="Benchmark",
        ),
        svg="results/report/hyperparameters.svg",
    log:
        "logs/report/plot_hyperparameters.log",
    benchmark:
        "benchmarks/report/plot_hyperparameters.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../../scripts/plot_report_figure.py"


rule plot_burden:
    input:
        predictions=expand("results/benchmark/{cancer}/predictions.tsv", cancer=CANCERS),
        patients=expand("results/cohorts/{cancer}/patients.tsv", cancer=CANCERS),
    output:
        png=report(
            "results/report/burden.png",
            caption="../report/burden.rst",
            category="Benchmark",
        ),
        svg="results/report/burden.svg",
        table="results/report/burden.tsv",
    log:
        "logs/report/plot_burden.log",
    benchmark:
        "benchmarks/report/plot_burden.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        cancers=CANCERS,
    script:
        "../../scripts/plot_report_figure.py"


rule plot_kaplan_meier:
    input:
        predictions="results/benchmark/{cancer}/predictions.tsv",
        folds="results/benchmark/{cancer}/folds.tsv",
        patients="results/cohorts/{cancer}/patients.tsv",
    output:
        png=report(
            "results/report/kaplan_meier/{cancer}.png",
            caption="../report/kaplan_meier.rst",
            category="Kaplan-Meier",
            subcategory="{cancer}",
        ),
        svg="results/report/kaplan_meier/{cancer}.svg",
    log:
        "logs/report/plot_kaplan_meier_{cancer}.log",
    benchmark:
        "benchmarks/report/plot_kaplan_meier_{cancer}.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        representations=BENCHMARK_REPRESENTATIONS,
    script:
        "../../scripts/plot_report_figure.py"


rule plot_selected_genes:
    input:
        coefficients="results/benchmark/{cancer}/coefficients.tsv",
        folds="results/benchmark/{cancer}/folds.tsv",
    output:
        png=report(
            "results/report/selected_genes/{cancer}.png",
            caption="../report/selected_genes.rst",
            category="Selected genes",
            subcategory="{cancer}",
        ),
        svg="results/report/selected_genes/{cancer}.svg",
    log:
        "logs/report/plot_selected_genes_{cancer}.log",
    benchmark:
        "benchmarks/report/plot_selected_genes_{cancer}.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        representations=BENCHMARK_REPRESENTATIONS,
    script:
        "../../scripts/plot_report_figure.py"


rule write_summary:
    input:
        summary="results/benchmark/summary.tsv",
        wilcoxon="results/benchmark/wilcoxon.tsv",
        cohorts="results/cohorts/summary.tsv",
    output:
        "results/summary.md",
    log:
        "logs/report/write_summary.log",
    benchmark:
        "benchmarks/report/write_summary.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../../scripts/plot_report_figure.py"
