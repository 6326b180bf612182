# pancan: pan-cancer survival analysis of somatic mutations on gene networks.
# Entry point; the stages live in workflow/rules/*.smk.
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.logging import logger
from snakemake.utils import min_version

min_version("9.0")

# The package of this checkout, for the Snakefile and for every rule script in any
# environment (a conda environment holds only the dependencies, not the package).
PANCAN_SRC = str(Path(workflow.basedir) / "src")
sys.path.insert(0, PANCAN_SRC)

from pancan.config_schema import validate_workflow_config, workflow_schema
from pancan.report.run_record import mismatch, record_run
from pancan.rule_environment import share_package_source
from pancan.stratification.checks import few_subsamples

share_package_source(PANCAN_SRC)


configfile: "config/config.yaml"


CONFIG_SCHEMA = workflow_schema()
validate_workflow_config(config, "config (config/config.yaml and --config)")


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
        # per benchmarked type: Kaplan-Meier, selected genes, stratification (common.smk)
        per_cancer_report_targets,
        # benchmark.pooled: the pooled pan-cancer models against the per-type ones
        POOLED_TARGETS,


# One configuration per results folder: results/run.json records the configuration of the
# last run; a report for another one would mix both runs' files, so it is refused.
REPORTING = any(arg == "--report" or arg.startswith("--report=") for arg in sys.argv)
if workflow.is_main_process:
    if config["stratification"]["enabled"] and (
        FEW := few_subsamples(config["stratification"]["subsamples"])
    ):
        logger.warning(FEW)
    OTHER_RUN = mismatch(config, CANCERS)
    if OTHER_RUN and REPORTING:
        raise WorkflowError(
            f"{OTHER_RUN}. The report would mix that run's files with this configuration's: pass the run's "
            "options to --report (the same --configfile / --config), or run this configuration first; "
            "to keep several configurations, give each its own folder (snakemake -d <folder>)."
        )
    if OTHER_RUN:
        logger.warning(
            f"{OTHER_RUN}. This run replaces the files it recomputes; files only the other run made stay "
            "(e.g. figures of cancer types not in this run). To keep both, give each configuration its own "
            "folder (snakemake -d <folder>)."
        )


onstart:
    record_run(config, CANCERS, "running")


onsuccess:
    record_run(config, CANCERS, "complete")
