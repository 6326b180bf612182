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
include: "workflow/rules/benchmark.smk"


rule all:
    default_target: True
    input:
        "results/cohorts/summary.tsv",
        "results/cohorts/networks.tsv",
        "results/benchmark/summary.tsv",
        "results/benchmark/wilcoxon.tsv",
