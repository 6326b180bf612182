"""The workflow's configuration schema: the schema file plus what the registries declare.

Every default lives here, once: in `workflow/schemas/config.schema.yaml` for the workflow's
own keys, and in the entries of the representation, model and network registries for the
settings they introduce (a grid, a model's options, a network source's settings and URLs). `config/config.yaml` and `config/README.md`
are checked against (README: generated from) the schema this module assembles.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

import yaml

from pancan.config_validation import validate_config
from pancan.errors import PancanError

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


@cache
def _schema() -> dict:
    from pancan.models.registry import MODELS
    from pancan.networks import registry as networks
    from pancan.representations import registry

    if not SCHEMA_FILE.exists():
        raise PancanError(f"{SCHEMA_FILE}: the configuration schema is missing (pancan runs from its checkout)")
    schema = yaml.safe_load(SCHEMA_FILE.read_text())
    registry.extend_schema(schema)
    networks.extend_schema(schema)
    benchmark = schema["properties"]["benchmark"]["properties"]
    benchmark["model"]["enum"] = MODELS.names()
    registry.add_settings(benchmark, MODELS.declared, "model registry")
    return schema


def workflow_schema() -> dict:
    """The whole schema (a copy: callers may change it)."""
    return copy.deepcopy(_schema())


def refresh() -> None:
    """Forget the assembled schema, after a registry changed (toy entries in tests)."""
    _schema.cache_clear()


def relation_problems(config: dict) -> list[tuple[str, str]]:
    """Checks across keys, which the schema cannot express: settings that mean nothing are refused at start."""
    from pancan.models.registry import MODELS

    benchmark = config["benchmark"]
    model = MODELS[benchmark["model"]]
    problems = list(model.check(benchmark)) if model.check else []
    run = set(benchmark["representations"]) | ({"clinical"} if benchmark["clinical"] else set())
    for index, (first, second) in enumerate(benchmark["comparisons"]):
        key = f"benchmark.comparisons[{index}]"
        if first == second:
            problems.append((key, f"[{first}, {second}] compares a representation with itself"))
        for name in (first, second):
            if name not in run:
                reason = "benchmark.clinical is false" if name == "clinical" else "not in benchmark.representations"
                problems.append((key, f"{name} is not run ({reason}): add it, or drop the comparison"))
    if benchmark["pooled"] and not model.strata:
        problems.append(
            (
                "benchmark.pooled",
                f"the pooled model compares patients within a cancer type only, and {benchmark['model']} has no "
                "strata (scikit-survival's Coxnet and boosted Cox trees cannot restrict their pairs to a type): "
                "use model survival_svm, or set benchmark.pooled: false",
            )
        )
    shown = config["report"]["kaplan_meier_representation"]
    if shown != "inner_cv" and shown not in run:
        problems.append(
            (
                "report.kaplan_meier_representation",
                f"{shown} is not benchmarked: use one of {', '.join(sorted(run))}, or inner_cv",
            )
        )
    stratification = config["stratification"]
    if stratification["k"] and stratification["k"] not in stratification["ks"]:
        problems.append(
            ("stratification.k", f"{stratification['k']} is not among stratification.ks {stratification['ks']}")
        )
    lower, upper = stratification["pac_window"]
    if lower >= upper:
        problems.append(("stratification.pac_window", f"[{lower}, {upper}]: the lower bound must be below the upper"))
    return problems


def validate_workflow_config(config: dict, source: str = "config") -> dict:
    """Fill defaults into `config` in place, type `--config` strings and validate it (see `validate_config`)."""
    return validate_config(config, _schema(), source, relations=relation_problems)


def default_config() -> dict:
    """Every key at its default."""
    return validate_workflow_config({})


def default_benchmark() -> dict:
    """The `benchmark` section at its defaults."""
    return default_config()["benchmark"]
