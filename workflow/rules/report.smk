# Report stage: figures (PNG for the HTML report, SVG for papers), results/summary.md and the report's landing page.

# The landing page is a result of the run (it quotes the results), so the report directive
# points at it in the working directory; `snakemake --report` reads it after the run.
REPORT_LANDING = "results/report/landing.rst"


report: str(Path(REPORT_LANDING).resolve())


rule plot_cohort_overview:
    """Cohort sizes, mutations per patient and network coverage."""
    input:
        summary="results/cohorts/summary.tsv",
        patients=expand("results/cohorts/{cancer}/patients.tsv", cancer=CANCERS),
    output:
        png=report(
            "results/report/cohort_overview.png",
            caption="../report/cohort_overview.rst",
            category="Cohorts",
            labels={"figure": "cohort overview"},
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
        code=code_version("plot_report_figure.py"),
        cancers=CANCERS,
    script:
        "../../scripts/plot_report_figure.py"


rule plot_cindex:
    """C-index per cancer type and representation, each mean with its 95% interval, paired tests marked by q-value."""
    input:
        folds="results/benchmark/folds.tsv",
        tests="results/benchmark/paired_tests.tsv",
        summary="results/benchmark/summary.tsv",
    output:
        png=report(
            "results/report/cindex.png",
            caption="../report/cindex.rst",
            category="Benchmark",
            labels={"figure": "C-index per cancer type"},
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
    params:
        code=code_version("plot_report_figure.py"),
    script:
        "../../scripts/plot_report_figure.py"


rule plot_hyperparameters:
    """NetNorM k and NSQN alpha chosen in each outer fold."""
    input:
        folds="results/benchmark/folds.tsv",
    output:
        png=report(
            "results/report/hyperparameters.png",
            caption="../report/hyperparameters.rst",
            category="Benchmark",
            labels={"figure": "chosen hyper-parameters"},
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
    params:
        code=code_version("plot_report_figure.py"),
    script:
        "../../scripts/plot_report_figure.py"


rule plot_burden:
    """C-index in the low- and high-burden halves of the test patients."""
    input:
        predictions=lambda wildcards: expand(
            "results/benchmark/{cancer}/predictions.tsv", cancer=benchmarked_cancers()
        ),
        patients=lambda wildcards: expand(
            "results/cohorts/{cancer}/patients.tsv", cancer=benchmarked_cancers()
        ),
    output:
        png=report(
            "results/report/burden.png",
            caption="../report/burden.rst",
            category="Benchmark",
            labels={"figure": "C-index by mutational burden"},
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
        code=code_version("plot_report_figure.py"),
        cancers=lambda wildcards: benchmarked_cancers(),
    script:
        "../../scripts/plot_report_figure.py"


rule plot_kaplan_meier:
    """Kaplan-Meier curves of cross-validated risk groups, representation chosen without test folds."""
    input:
        predictions="results/benchmark/{cancer}/predictions.tsv",
        folds="results/benchmark/{cancer}/folds.tsv",
        patients="results/cohorts/{cancer}/patients.tsv",
    output:
        png=report(
            "results/report/kaplan_meier/{cancer}.png",
            caption="../report/kaplan_meier.rst",
            category="Kaplan-Meier",
            labels={"cancer type": "{cancer}"},
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
        code=code_version("plot_report_figure.py"),
        representations=BENCHMARK_REPRESENTATIONS,
        choice=config["report"]["kaplan_meier_representation"],
    script:
        "../../scripts/plot_report_figure.py"


rule plot_selected_genes:
    """Genes most often selected across the outer folds, with the sign of their effect (NetNorM: proxies hatched)."""
    input:
        coefficients="results/benchmark/{cancer}/coefficients.tsv",
        folds="results/benchmark/{cancer}/folds.tsv",
        # the cohort and the main network: which of NetNorM's selected genes were set to 1 as proxies
        cohort=multiext(
            "results/cohorts/{cancer}/",
            "patients.tsv",
            "mutations.npz",
            "genes.txt",
            "clinical.tsv",
        ),
        network=multiext(
            f"results/networks/{config['networks']['main']}/",
            "adjacency.npz",
            "genes.txt",
        ),
    output:
        png=report(
            "results/report/selected_genes/{cancer}.png",
            caption="../report/selected_genes.rst",
            category="Selected genes",
            labels={"cancer type": "{cancer}"},
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
        code=code_version("plot_report_figure.py"),
        representations=BENCHMARK_REPRESENTATIONS,
        netnorm_tie_break=config["benchmark"]["netnorm_tie_break"],
    script:
        "../../scripts/plot_report_figure.py"


rule plot_pan_cancer:
    """Each representation's C-index across cancer types: per-type means, their mean and the mean rank."""
    input:
        folds="results/benchmark/folds.tsv",
        pan_cancer="results/benchmark/pan_cancer.tsv",
        tests="results/benchmark/paired_tests.tsv",
    output:
        png=report(
            "results/report/pan_cancer.png",
            caption="../report/pan_cancer.rst",
            category="Pan-cancer",
            labels={"figure": "C-index across cancer types"},
        ),
        svg="results/report/pan_cancer.svg",
    log:
        "logs/report/plot_pan_cancer.log",
    benchmark:
        "benchmarks/report/plot_pan_cancer.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_version("plot_report_figure.py"),
        representations=BENCHMARK_REPRESENTATIONS,
    script:
        "../../scripts/plot_report_figure.py"


rule plot_pooled:
    """The pooled pan-cancer model against the per-type models: mean C per type with 95% intervals."""
    input:
        pooled="results/benchmark/pooled/summary.tsv",
    output:
        png=report(
            "results/report/pooled.png",
            caption="../report/pooled.rst",
            category="Pan-cancer pooled",
            labels={"figure": "pooled against per-type models"},
        ),
        svg="results/report/pooled.svg",
    log:
        "logs/report/plot_pooled.log",
    benchmark:
        "benchmarks/report/plot_pooled.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_version("plot_report_figure.py"),
    script:
        "../../scripts/plot_report_figure.py"


rule write_summary:
    """results/summary.md: the results tables as text (C-index, pan-cancer, tests with q, grid edges, cohorts)."""
    input:
        unpack(stratification_report_input),
        unpack(pooled_report_input),
        summary="results/benchmark/summary.tsv",
        tests="results/benchmark/paired_tests.tsv",
        pan_cancer="results/benchmark/pan_cancer.tsv",
        grid_edges="results/benchmark/grid_edges.tsv",
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
    params:
        code=code_version("plot_report_figure.py"),
    script:
        "../../scripts/plot_report_figure.py"


rule write_report_landing:
    """The HTML report's first page: what was run (data, protocol, versions, config checksum) and what was found."""
    input:
        unpack(stratification_report_input),
        unpack(pooled_report_input),
        unpack(landing_data_files),
        summary="results/benchmark/summary.tsv",
        tests="results/benchmark/paired_tests.tsv",
        pan_cancer="results/benchmark/pan_cancer.tsv",
        grid_edges="results/benchmark/grid_edges.tsv",
        cohorts="results/cohorts/summary.tsv",
        networks="results/cohorts/networks.tsv",
    output:
        REPORT_LANDING,
    log:
        "logs/report/write_report_landing.log",
    benchmark:
        "benchmarks/report/write_report_landing.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_version("plot_report_figure.py"),
        config=config,
    script:
        "../../scripts/plot_report_figure.py"
