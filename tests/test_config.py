"""The config schema: defaults, documentation in sync, shipped config valid."""

import copy
import subprocess
import sys

import pytest
import yaml
from helpers import REPO
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

SCHEMA = str(REPO / "workflow" / "schemas" / "config.schema.yaml")


def test_empty_config_gets_every_default():
    config = {}
    validate(config, SCHEMA)
    shipped = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    assert config == shipped


def test_wrong_nested_value_names_the_key():
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    bad = copy.deepcopy(config)
    bad["networks"]["string"]["min_score"] = 2000
    with pytest.raises(WorkflowError) as error:
        validate(bad, SCHEMA)
    assert "2000 is greater than the maximum of 1000" in str(error.value.args)


def test_config_readme_is_generated_from_schema():
    generated = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "document_config.py")], capture_output=True, text=True, check=True
    ).stdout
    assert generated == (REPO / "config" / "README.md").read_text()
    assert "| `survival.days_per_month` | number | `30.4375` |" in generated
