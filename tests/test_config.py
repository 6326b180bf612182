"""The config schema: defaults, short errors naming the key, --config strings typed, documentation in sync."""

import copy
import subprocess
import sys

import pytest
import yaml
from helpers import REPO

from pancan.config_schema import default_config, validate_workflow_config, workflow_schema
from pancan.config_validation import ConfigError, validate_config, workflow_relative

SCHEMA = workflow_schema()
SHIPPED = yaml.safe_load((REPO / "config" / "config.yaml").read_text())


def test_shipped_config_holds_every_default_and_nothing_else():
    assert default_config() == SHIPPED


def test_wrong_nested_value_names_the_key_without_the_schema():
    bad = copy.deepcopy(SHIPPED)
    bad["networks"]["string"]["min_score"] = 2000
    bad["mutations"]["classes"] = []
    bad["extra_key"] = 1
    with pytest.raises(ConfigError) as error:
        validate_config(bad, SCHEMA, "config/config.yaml")
    message = str(error.value)
    assert message.splitlines() == [
        "config/config.yaml: invalid configuration",
        "  extra_key: unknown key (allowed here: benchmark, cancer_types, cbioportal, data_source, download, local, "
        "mutations, network_urls, networks, report, seed, snapshot_dir, stratification, survival)",
        "  mutations.classes: [] should be non-empty",
        "  networks.string.min_score: 2000 is greater than the maximum of 1000",
    ]


def test_penalty_ratios_in_the_wrong_order_are_an_early_error():
    bad = copy.deepcopy(SHIPPED)
    bad["benchmark"]["penalties"].update(min_ratio=0.95, max_ratio=0.9)
    with pytest.raises(ConfigError) as error:
        validate_workflow_config(bad, "config/config.yaml")
    assert str(error.value).splitlines()[1] == (
        "  benchmark.penalties.min_ratio: 0.95 must not exceed benchmark.penalties.max_ratio (0.9)"
    )
    bad["benchmark"]["penalties"]["C"] = [0.001]  # explicit costs: the ratios are not used
    validate_workflow_config(bad, "config/config.yaml")


def test_liblinear_costs_with_a_cox_model_are_an_early_error():
    bad = copy.deepcopy(SHIPPED)
    bad["benchmark"].update(model="cox_lasso")
    bad["benchmark"]["penalties"]["C"] = [0.001]
    with pytest.raises(ConfigError) as error:
        validate_workflow_config(bad, "config/config.yaml")
    assert str(error.value).splitlines()[1] == (
        "  benchmark.penalties.C: liblinear costs apply to model survival_svm only, not cox_lasso: "
        "set benchmark.penalties.C: [] (the relative path n / min_ratio / max_ratio is used)"
    )


def test_command_line_strings_are_typed_by_the_schema():
    # what snakemake --config 'download={retries: 1}' 'survival={drop_zero_time: true}' passes: YAML strings
    config = {
        "download": {"retries": "1", "backoff_seconds": "0.5", "timeout_seconds": "30"},
        "survival": {"drop_zero_time": "true"},
        "networks": {"string": {"min_score": "700"}},
        "mutations": {"exclude_filters": ["wga"]},
        "benchmark": {"netnorm_k": ["50", "100"], "smoothing_alpha": ["0.5"], "clinical": "False"},
    }
    validate_config(config, SCHEMA)
    assert config["download"] == {
        "retries": 1,
        "backoff_seconds": 0.5,
        "timeout_seconds": 30,
        "lock_dir": "locks",
    }
    assert config["survival"]["drop_zero_time"] is True and config["survival"]["endpoint"] == "OS"
    assert config["networks"]["string"]["min_score"] == 700
    assert config["mutations"]["exclude_filters"] == ["wga"]  # strings stay strings
    assert config["benchmark"]["netnorm_k"] == [50, 100] and config["benchmark"]["smoothing_alpha"] == [0.5]
    assert config["benchmark"]["clinical"] is False
    with pytest.raises(ConfigError, match=r"download\.retries: 'many' is not of type 'integer'"):
        validate_config({"download": {"retries": "many"}}, SCHEMA)


def test_relative_defaults_resolve_against_the_workflow(tmp_path):
    workflow_dir = tmp_path / "pancan"
    workdir = tmp_path / "analysis"
    workflow_dir.mkdir()
    workdir.mkdir()
    # the default names a folder shipped with the workflow
    assert (
        workflow_relative("resources/snapshot", "resources/snapshot", workflow_dir, workdir)
        == "../pancan/resources/snapshot"
    )
    # unchanged where the working directory is the workflow's folder
    assert (
        workflow_relative("resources/snapshot", "resources/snapshot", workflow_dir, workflow_dir)
        == "resources/snapshot"
    )
    # a path the user set is the user's, relative to the working directory
    assert workflow_relative("my/snapshot", "resources/snapshot", workflow_dir, workdir) == "my/snapshot"
    assert workflow_relative("/abs/snapshot", "resources/snapshot", workflow_dir, workdir) == "/abs/snapshot"


def test_config_readme_is_generated_from_schema():
    generated = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "document_config.py")], capture_output=True, text=True, check=True
    ).stdout
    assert generated == (REPO / "config" / "README.md").read_text()
    assert "| `survival.days_per_month` | number | `30.4375` |" in generated
    assert "--config 'survival={endpoint: DSS, drop_zero_time: true}'" in generated


# the JSON-Schema keywords this schema may use; anything else is a flow-mapping typo, e.g. an unquoted
# description with a comma in `{..., description: a, b}` that YAML splits into a junk key "b"
SCHEMA_KEYWORDS = {
    "$schema",
    "title",
    "description",
    "type",
    "properties",
    "additionalProperties",
    "required",
    "default",
    "enum",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "pattern",
    "minLength",
    "oneOf",
    "anyOf",
    "patternProperties",
    "propertyNames",
    "minProperties",
}


def schema_keys(node, path=""):
    """(path, keyword) of every keyword in the schema, not descending into values (defaults, enums)."""
    for key, value in node.items():
        yield path, key
        if key in ("properties", "patternProperties"):
            for name, child in value.items():
                yield from schema_keys(child, f"{path}.{name}".lstrip("."))
        elif key in ("items", "additionalProperties", "propertyNames") and isinstance(value, dict):
            yield from schema_keys(value, f"{path}[{key}]")
        elif key in ("oneOf", "anyOf"):
            for child in value:
                yield from schema_keys(child, path)


def test_schema_nodes_hold_only_schema_keywords():
    unknown = [(path, key) for path, key in schema_keys(SCHEMA) if key not in SCHEMA_KEYWORDS]
    assert unknown == []
    assert SCHEMA["properties"]["benchmark"]["properties"]["uno_tau"]["properties"]["years"]["description"].endswith(
        "the same for every fold of a cancer type."
    )


def test_settings_that_mean_nothing_are_refused_at_start():
    bad = copy.deepcopy(SHIPPED)
    bad["benchmark"].update(
        representations=["raw", "netnorm"],
        clinical=False,
        comparisons=[["raw", "raw"], ["netnorm", "nsqn"], ["netnorm", "clinical"], ["netnorm", "raw"]],
    )
    bad["report"]["kaplan_meier_representation"] = "nsqn"
    bad["stratification"].update(k=9, pac_window=[0.9, 0.1])
    with pytest.raises(ConfigError) as error:
        validate_workflow_config(bad, "config/config.yaml")
    assert str(error.value).splitlines()[1:] == [
        "  benchmark.comparisons[0]: [raw, raw] compares a representation with itself",
        "  benchmark.comparisons[1]: nsqn is not run (not in benchmark.representations): add it, or drop the "
        "comparison",
        "  benchmark.comparisons[2]: clinical is not run (benchmark.clinical is false): add it, or drop the comparison",
        "  report.kaplan_meier_representation: nsqn is not benchmarked: use one of netnorm, raw, or inner_cv",
        "  stratification.k: 9 is not among stratification.ks [2, 3, 4, 5, 6, 7, 8]",
        "  stratification.pac_window: [0.9, 0.1]: the lower bound must be below the upper",
    ]


def test_an_unquoted_braced_value_on_the_command_line_is_explained():
    # what snakemake --config 'local={study_pattern: data/{cancer_lower}.tar.gz}' passes: the text it could not read
    with pytest.raises(ConfigError) as error:
        validate_workflow_config({"local": "{study_pattern: data/{cancer_lower}.tar.gz}"})
    line = str(error.value).splitlines()[1]
    assert line.startswith("  local: '{study_pattern: data/{cancer_lower}.tar.gz}' is not of type 'object' (it is not")
    assert line.endswith(
        """quote values that hold braces, e.g. --config 'cbioportal={study_id: "{cancer_lower}_tcga_pan_can_atlas_2018"}'"""
    )
    config = validate_workflow_config({"local": {"study_pattern": "data/{cancer_lower}.tar.gz"}})  # quoted: read
    assert config["local"]["study_pattern"] == "data/{cancer_lower}.tar.gz"
