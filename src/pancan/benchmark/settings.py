"""The benchmark settings one evaluation job reads, and which config keys they are.

Kept apart from the protocol (scikit-learn pipelines) because the Snakefile reads the keys
at every start to give each job exactly its parameters.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields

from pancan.config_schema import validate_workflow_config
from pancan.models.registry import MODELS, Model
from pancan.representations.registry import REGISTRY


@dataclass(frozen=True)
class BenchmarkSettings:
    """The benchmark section of a configuration, defaults filled from the schema, and the seed.

    The typed fields are what the engine reads in every job; `section` holds every key,
    among them the settings a representation or a model declares in its registry entry
    (its grid, its options), read by that entry alone.
    """

    model: str
    outer_folds: int
    inner_folds: int
    inner_seed: int | None
    inner_score: str
    folds_file: str
    max_features: int | None
    scale_features: bool
    uno_tau: dict
    section: dict = field(repr=False, compare=False)
    seed: int = 0

    @classmethod
    def from_config(cls, config: dict) -> BenchmarkSettings:
        """From a whole configuration (validated here, with defaults for every missing key)."""
        config = validate_workflow_config(copy.deepcopy(config), "configuration")
        return cls.from_benchmark(config["benchmark"], config["seed"])

    @classmethod
    def from_benchmark(cls, benchmark: dict, seed: int) -> BenchmarkSettings:
        """From a benchmark section, or the part of it a job receives: missing keys take their defaults."""
        config = validate_workflow_config({"benchmark": copy.deepcopy(dict(benchmark)), "seed": seed}, "benchmark")
        section = config["benchmark"]
        engine = {name: section[name] for name in ENGINE_KEYS}
        engine["max_features"] = engine["max_features"] or None
        return cls(**engine, section=section, seed=int(seed))

    @property
    def model_entry(self) -> Model:
        return MODELS[self.model]

    def path(self):
        """The path every search fits its model along (penalties, boosting stages)."""
        return self.model_entry.path(self)

    def inner_seed_for(self, repeat: int, fold: int) -> int:
        """Seed of the inner splits of one outer fold: inner_seed for every fold, or derived from seed and the fold."""
        return int(self.inner_seed) if self.inner_seed is not None else self.seed + 1000 * repeat + fold

    def model_estimator(self):
        return self.model_entry.build(self)


# the benchmark keys every evaluation job reads (the outer repeat is the job's own wildcard)
ENGINE_KEYS = tuple(f.name for f in fields(BenchmarkSettings) if f.name not in ("section", "seed"))


def job_setting_keys(representation: str, model: str) -> tuple[str, ...]:
    """Benchmark keys one evaluation job depends on: the engine's, its model's and its representation's.

    A job's parameters hold just these, so that editing another representation's grid or
    another model's options reruns nothing.
    """
    return ENGINE_KEYS + MODELS[model].settings + REGISTRY[representation].job_settings()
