# Cohort stage: per-type binary patient x gene matrices with survival and covariates, and their summary.


rule prepare_cohort:
    """Turn a cancer type's mutation calls, survival and clinical files into a binary patient x gene cohort and a drop log."""
    input:
        unpack(cohort_inputs),
    output:
        mutations="results/cohorts/{cancer}/mutations.npz",
        patients="results/cohorts/{cancer}/patients.tsv",
        genes="results/cohorts/{cancer}/genes.txt",
        clinical="results/cohorts/{cancer}/clinical.tsv",
        endpoints="results/cohorts/{cancer}/endpoints.tsv",
        dropped="results/cohorts/{cancer}/dropped.tsv",
    log:
        "logs/cohorts/prepare_cohort_{cancer}.log",
        # what was dropped before a failure (the outputs, dropped.tsv too, are removed when the job fails)
        dropped="logs/cohorts/prepare_cohort_{cancer}_dropped.tsv",
    benchmark:
        "benchmarks/cohorts/prepare_cohort_{cancer}.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        code=code_version("prepare_cohort.py"),
        data_source=config["data_source"],
        snapshot_dir=SNAPSHOT_DIR,
        mutations=config["mutations"],
        survival=cohort_survival_settings,
        named=NAMED_TYPES,
        study=lambda wildcards: study_label(wildcards.cancer),
        sources=cohort_sources,
    script:
        "../../scripts/prepare_cohort.py"


# A checkpoint: with cancer_types [all] or empty, the types benchmarked (survival.min_events events of their
# endpoint) are read from its summary by the input functions of the later stages (benchmarked_cancers).
checkpoint summarize_cohorts:
    """Tabulate patients, events of each endpoint, mutation burden and network coverage of every cohort, which types are benchmarked, and the networks' sizes."""
    input:
        patients=expand("results/cohorts/{cancer}/patients.tsv", cancer=CANCERS),
        networks=expand("results/networks/{network}/genes.txt", network=NETWORKS),
        network_summaries=expand(
            "results/networks/{network}/summary.tsv", network=NETWORKS
        ),
    output:
        summary=report(
            "results/cohorts/summary.tsv",
            caption="../report/cohort_summary.rst",
            category="Cohorts",
        ),
        networks="results/cohorts/networks.tsv",
    log:
        "logs/cohorts/summarize_cohorts.log",
    benchmark:
        "benchmarks/cohorts/summarize_cohorts.tsv"
    conda:
        "../../envs/pancan.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        code=code_version("summarize_cohorts.py"),
        cancers=CANCERS,
        networks=NETWORKS,
        endpoints={cancer: cancer_endpoint(cancer) for cancer in CANCERS},
        min_events=config["survival"]["min_events"],
    script:
        "../../scripts/summarize_cohorts.py"
