"""Workflow configuration: schema defaults, command-line strings typed, short errors naming the key."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from pancan.errors import PancanError

TRUE_WORDS = {"true", "yes", "on", "1"}
FALSE_WORDS = {"false", "no", "off", "0"}
MAX_SHOWN = 120  # characters of an offending value shown in a message


class ConfigError(PancanError, ValueError):
    """The configuration does not match the schema; the message names each failing key."""


def validate_config(
    config: dict,
    schema: dict,
    source: str = "config",
    relations: Callable[[dict], list[tuple[str, str]]] | None = None,
) -> dict:
    """Fill schema defaults into `config` in place, type `--config` strings, and validate it.

    Snakemake reads nested `--config key='{a: 1}'` values as YAML strings ('1'), so a
    string given where the schema wants a number, integer or boolean is converted
    first. Raises ConfigError listing each failing key path (e.g.
    `survival.days_per_month`) with the problem, never the schema itself. `relations`
    checks a valid config across keys (what a schema cannot express).
    """
    coerced = _coerce(config, schema)
    config.clear()
    config.update(coerced)
    _fill_defaults(config, schema)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.absolute_path])
    problems = [problem for error in errors for problem in _problems(error)]
    if not errors and relations is not None:
        problems += relations(config)
    if problems:
        raise ConfigError(f"{source}: invalid configuration\n" + "\n".join(f"  {key}: {why}" for key, why in problems))
    return config


def schema_default(schema: dict, *keys: str) -> Any:
    """The schema default of a (nested) key, e.g. schema_default(schema, "download", "lock_dir")."""
    node = schema
    for key in keys:
        node = node["properties"][key]
    return node.get("default")


def workflow_relative(value: str, default: str, workflow_dir: str | Path, workdir: str | Path | None = None) -> str:
    """A path setting as the workflow should open it.

    A relative default (e.g. resources/snapshot) names a folder shipped with the
    workflow, so it resolves against the workflow's folder; a path the user set
    resolves against the working directory. The result is relative to the working
    directory when the two coincide, so outputs and parameters do not change there.
    """
    if os.path.isabs(value) or value != default:
        return value
    target = Path(workflow_dir).resolve() / value
    return os.path.relpath(target, Path(workdir or os.getcwd()).resolve())


def _types(spec: dict) -> list[str]:
    kind = spec.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def _coerce(value: Any, spec: dict) -> Any:
    """Convert strings to the number/integer/boolean the schema asks for; recurse into objects and arrays."""
    kinds = _types(spec)
    if isinstance(value, str) and "string" not in kinds:
        text = value.strip()
        if "boolean" in kinds and text.lower() in TRUE_WORDS | FALSE_WORDS:
            return text.lower() in TRUE_WORDS
        if "integer" in kinds:
            try:
                return int(text)
            except ValueError:
                pass
        if "number" in kinds:
            try:
                number = float(text)
            except ValueError:
                return value
            return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
        return value
    if isinstance(value, dict):
        properties = spec.get("properties", {})
        extra = spec.get("additionalProperties")
        result = {}
        for key, item in value.items():
            child = properties.get(key, extra if isinstance(extra, dict) else None)
            result[key] = _coerce(item, child) if child else item
        return result
    if isinstance(value, list) and isinstance(spec.get("items"), dict):
        return [_coerce(item, spec["items"]) for item in value]
    return value


def _fill_defaults(instance: dict, spec: dict) -> None:
    """Add each missing property's default, then recurse into object-valued properties."""
    for key, child in spec.get("properties", {}).items():
        if key not in instance and "default" in child:
            instance[key] = copy.deepcopy(child["default"])
        if isinstance(instance.get(key), dict) and "properties" in child:
            _fill_defaults(instance[key], child)


def _key_path(parts: list) -> str:
    if not parts:
        return "(top level)"
    text = str(parts[0])
    for part in parts[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _problems(error: jsonschema.ValidationError) -> list[tuple[str, str]]:
    """(key path, problem) pairs: jsonschema's message with long values shortened, never the schema."""
    parts = list(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        unknown = [key for key in error.instance if key not in error.schema.get("properties", {})]
        return [(_key_path([*parts, key]), f"unknown key (allowed here: {allowed})") for key in unknown]
    message = error.message
    if len(message) > 2 * MAX_SHOWN:
        message = message[:MAX_SHOWN] + " ... " + message[-MAX_SHOWN:]
    if error.validator == "type" and isinstance(error.instance, str) and error.instance.lstrip().startswith("{"):
        # Snakemake keeps a --config value it cannot read as YAML as a string: say why it could not
        try:
            yaml.safe_load(error.instance)
        except yaml.YAMLError as problem:
            where = str(problem).splitlines()[0]
            message += (
                f" (it is not valid YAML: {where}); on the command line, quote values that hold braces, e.g. "
                f"--config 'cbioportal={{study_id: \"{{cancer_lower}}_tcga_pan_can_atlas_2018\"}}'"
            )
    return [(_key_path(parts), message)]
