# pancan: pan-cancer survival analysis of somatic mutations on gene networks.
# Entry point; the stages live in workflow/rules/*.smk.
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/download.smk"
include: "workflow/rules/networks.smk"
include: "workflow/rules/cohorts.smk"
include: "workflow/rules/representations.smk"
include: "workflow/rules/benchmark.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        "results/cohorts/summary.tsv",
        "results/cohorts/networks.tsv",
        "results/benchmark/summary.tsv",
        "results/benchmark/wilcoxon.tsv",
        "results/summary.md",
        "results/report/cohort_overview.png",
        "results/report/cindex.png",
        "results/report/hyperparameters.png",
        "results/report/burden.png",
        expand("results/report/kaplan_meier/{cancer}.png", cancer=CANCERS),
        expand("results/report/selected_genes/{cancer}.png", cancer=CANCERS),
