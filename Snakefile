# pancan: pan-cancer survival analysis of somatic mutations on gene networks.
# Entry point; the stages live in workflow/rules/*.smk.
import sys
from pathlib import Path

import yaml
from snakemake.utils import min_version

min_version("9.0")

# The package of this checkout, for the Snakefile and for every rule script in any
# environment (a conda environment holds only the dependencies, not the package).
PANCAN_SRC = str(Path(workflow.basedir) / "src")
sys.path.insert(0, PANCAN_SRC)

from pancan.config_validation import validate_config
from pancan.representations.registry import schema_with_registry
from pancan.rule_environment import share_package_source

share_package_source(PANCAN_SRC)


configfile: "config/config.yaml"


CONFIG_SCHEMA = schema_with_registry(
    yaml.safe_load(
        (Path(workflow.basedir) / "workflow/schemas/config.schema.yaml").read_text()
    )
)
validate_config(config, CONFIG_SCHEMA, "config (config/config.yaml and --config)")


include: "workflow/rules/common.smk"
include: "workflow/rules/download.smk"
include: "workflow/rules/networks.smk"
include: "workflow/rules/cohorts.smk"
include: "workflow/rules/representations.smk"
include: "workflow/rules/stratification.smk"
include: "workflow/rules/benchmark.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        "results/cohorts/summary.tsv",
        "results/cohorts/networks.tsv",
        "results/benchmark/summary.tsv",
        "results/benchmark/paired_tests.tsv",
        "results/benchmark/pan_cancer.tsv",
        "results/benchmark/grid_edges.tsv",
        "results/summary.md",
        REPORT_LANDING,
        "results/report/pan_cancer.png",
        "results/report/cohort_overview.png",
        "results/report/cindex.png",
        "results/report/hyperparameters.png",
        "results/report/burden.png",
        expand("results/report/kaplan_meier/{cancer}.png", cancer=CANCERS),
        expand("results/report/selected_genes/{cancer}.png", cancer=CANCERS),
        STRATIFICATION_TARGETS,
