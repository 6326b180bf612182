"""The representations the workflow knows, each declared once.

An entry says how to build the representation's transformer, which pipeline parameter
the benchmark searches and which config key holds its grid, which benchmark settings it
reads (a job's parameters, so that editing one grid reruns only its jobs) and the schema
of the settings it introduces, which network it needs (the main one or a randomised
control), how the stratification stage clusters it, and its colour and label in figures.
The config schema, the Snakemake rules, the benchmark engine, the stratification stage,
the figures and the report all read this table. Adding a representation is one entry
plus its transformer:

    REGISTRY.add(Representation(
        name="netnorm_log", label="NetNorM (log count)", colour="#7f3b08",
        build=lambda context, settings: MyTransformer(context.adjacency, k=settings.section["log_k"][0]),
        parameter="k", grid_key="log_k", network="main", adjacency=True,
        declares={"log_k": {"type": "array", "items": {"type": "integer", "minimum": 1}, "default": [10, 100],
                            "description": "k grid of netnorm_log."}}))
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the transformers are imported when built: the Snakefile reads this table without them
    from sklearn.base import TransformerMixin

    from pancan.representations.netnorm import NetNorM
    from pancan.representations.raw import MutationCount, RawMutations, RawNetworkMutations
    from pancan.representations.row_cache import RowCache
    from pancan.representations.smoothing import NSQN, NetworkSmoothing

NETWORK_CONTROLS = ("permuted", "rewired")
# How the stratification stage builds the profiles it clusters (pancan.stratification.profiles):
# propagated (NBS: smoothed D^-1 A, quantile-normalised), netnorm (fixed k), binary (mutations, no network).
CLUSTERINGS = ("propagated", "netnorm", "binary")


@dataclass(frozen=True)
class RepresentationContext:
    """What a transformer is built from: the network it uses, how many network genes lead the columns, and the
    per-patient memo its clones share (None: each fitted transformer keeps its own)."""

    adjacency: object | None
    n_network: int
    n_jobs: int = 1
    memo: RowCache | None = None


@dataclass(frozen=True)
class Representation:
    """One representation (see the module docstring)."""

    name: str
    label: str
    colour: str
    build: Callable[[RepresentationContext, object], TransformerMixin] | None
    parameter: str | None = None  # transformer parameter searched, e.g. "k"
    grid_key: str | None = None  # benchmark setting holding its grid, e.g. "netnorm_k"
    settings: tuple[str, ...] = ()  # other benchmark settings it reads
    network: str | None = None  # None, "main", or a control in NETWORK_CONTROLS
    smoothing: bool = False  # reads the cohort's cached smoothed profiles
    family: str = ""  # the representation a network control randomises
    clinical: bool = False  # the clinical-covariates model (not a mutation representation)
    adjacency: bool = False  # its transformer needs the network's adjacency (not only its gene count)
    min_penalty_ratio: float | None = None  # a longer relative penalty path, where the data want one
    benchmarked: bool = True  # usable in benchmark.representations (False: a stratification profile only)
    clustering: str | None = None  # one of CLUSTERINGS: usable in stratification.representations
    declares: dict[str, dict] = field(default_factory=dict)  # schema of the benchmark settings it introduces
    # settings that mean nothing for this network, named before any fit: (context, settings) -> problem or None
    check: Callable[[RepresentationContext, object], str | None] | None = None
    description: str = ""

    def __post_init__(self):
        if not self.family:
            object.__setattr__(self, "family", self.name)
        if self.clustering not in (None, *CLUSTERINGS):
            raise ValueError(f"representation {self.name!r}: clustering must be one of {CLUSTERINGS}")
        if self.benchmarked and self.build is None and not self.clinical:
            raise ValueError(f"representation {self.name!r} is benchmarked but has no transformer (build)")
        # what the stratification rules read from an entry: a network for netnorm and propagated profiles (and the
        # cohort's cached smoothing for propagated ones), none for binary profiles (plain NMF, no influence graph)
        needs = {"binary": (False, False), "netnorm": (True, False), "propagated": (True, True)}
        if self.clustering and needs[self.clustering] != (self.network is not None, self.smoothing):
            network, smoothing = needs[self.clustering]
            raise ValueError(
                f"representation {self.name!r}: clustering {self.clustering!r} needs "
                f"{'a' if network else 'no'} network and smoothing={smoothing}"
            )

    def network_name(self, main: str) -> str | None:
        """The network it is built on: None, the main network, or that network's randomised control."""
        if self.network is None:
            return None
        return main if self.network == "main" else f"{main}_{self.network}"

    def grid(self, settings) -> list:
        """Values of the searched parameter (one None value when nothing is searched)."""
        if self.grid_key is None:
            return [None]
        return sorted(settings.section[self.grid_key])

    def job_settings(self) -> tuple[str, ...]:
        return tuple(key for key in (self.grid_key, *self.settings) if key)


@dataclass
class Registry:
    entries: dict[str, Representation] = field(default_factory=dict)
    declared: dict[str, dict] = field(default_factory=dict)  # benchmark key -> schema, over every entry

    def add(self, entry: Representation) -> Representation:
        if entry.name in self.entries:
            raise ValueError(f"representation {entry.name!r} is declared twice")
        for key, schema in entry.declares.items():
            if key in self.declared and self.declared[key] != schema:
                raise ValueError(f"representation setting {key!r} is declared twice, differently")
            self.declared[key] = schema
        undeclared = [key for key in entry.job_settings() if key not in self.declared]
        if undeclared:
            raise ValueError(f"representation {entry.name!r} reads undeclared setting(s) {undeclared}")
        self.entries[entry.name] = entry
        return entry

    def remove(self, name: str) -> None:
        """Take an entry out again (and the settings only it declared): for toy entries in tests."""
        entry = self.entries.pop(name)
        still_read = {key for other in self for key in other.job_settings()}
        for key in entry.declares:
            if key not in still_read:
                del self.declared[key]

    def __getitem__(self, name: str) -> Representation:
        try:
            return self.entries[name]
        except KeyError:
            raise KeyError(f"unknown representation {name!r}; known: {', '.join(self.entries)}") from None

    def __contains__(self, name: str) -> bool:
        return name in self.entries

    def __iter__(self) -> Iterator[Representation]:
        return iter(self.entries.values())

    def mutation_names(self) -> list[str]:
        """Names usable in benchmark.representations (everything benchmarked but the clinical model)."""
        return [entry.name for entry in self if entry.benchmarked and not entry.clinical]

    def stratification_names(self) -> list[str]:
        """Names usable in stratification.representations (entries with a clustering)."""
        return [entry.name for entry in self if entry.clustering]

    def colour(self, name: str) -> str:
        """Colour of a representation; 'X+clinical' shares X's colour (drawn hatched by the figures)."""
        entry = self.entries.get(name.split("+")[0])
        return entry.colour if entry else "#333333"

    def label(self, name: str) -> str:
        base, plus, _rest = name.partition("+")
        entry = self.entries.get(base)
        label = entry.label if entry else base.replace("_", " ")
        return f"{label} + clinical" if plus else label

    def order(self, names) -> list[str]:
        """Registry order, combinations after their base, unknown names last."""
        known = list(self.entries)

        def key(name: str) -> tuple:
            base = name.split("+")[0]
            return (known.index(base) if base in known else len(known), "+" in name, name)

        return sorted(set(names), key=key)


def _netnorm(context: RepresentationContext, settings) -> NetNorM:
    from pancan.representations.netnorm import NetNorM

    grid = sorted(settings.section["netnorm_k"])
    tie_break = settings.section["netnorm_tie_break"]
    return NetNorM(context.adjacency, k=grid[0], max_k=grid[-1], tie_break=tie_break, memo=context.memo)


def _check_netnorm(context: RepresentationContext, settings) -> str | None:
    largest = max(settings.section["netnorm_k"])
    if largest > context.n_network:
        return (
            f"benchmark.netnorm_k: k = {largest} exceeds the {context.n_network:,} genes of the network: every patient "
            f"would need more genes than there are; keep k at most {context.n_network:,}"
        )
    return None


def smoothing_options(section: dict) -> dict:
    """Keyword arguments of the smoothing transformers, from the benchmark section."""
    return {"normalization": section["smoothing"]["normalization"], "tol": section["smoothing"]["tol"]}


def _nsqn(context: RepresentationContext, settings) -> NSQN:
    from pancan.representations.smoothing import NSQN

    alpha = min(settings.section["smoothing_alpha"])
    options = smoothing_options(settings.section)
    return NSQN(context.adjacency, alpha, n_jobs=context.n_jobs, memo=context.memo, **options)


def _smoothing(context: RepresentationContext, settings) -> NetworkSmoothing:
    from pancan.representations.smoothing import NetworkSmoothing

    alpha = min(settings.section["smoothing_alpha"])
    options = smoothing_options(settings.section)
    return NetworkSmoothing(context.adjacency, alpha, n_jobs=context.n_jobs, memo=context.memo, **options)


def _raw(context: RepresentationContext, settings) -> RawMutations:
    from pancan.representations.raw import RawMutations

    return RawMutations()


def _raw_network(context: RepresentationContext, settings) -> RawNetworkMutations:
    from pancan.representations.raw import RawNetworkMutations

    return RawNetworkMutations(context.n_network)


def _mutation_count(context: RepresentationContext, settings) -> MutationCount:
    from pancan.representations.raw import MutationCount

    counted = settings.section["mutation_count_genes"]
    return MutationCount(n_network_genes=context.n_network if counted == "network" else None)


NETNORM_SETTINGS = {
    "netnorm_k": {
        "type": "array",
        "items": {"type": "integer", "minimum": 1},
        "minItems": 1,
        "uniqueItems": True,
        "default": [10, 30, 100, 300],
        "description": "NetNorM k grid (the paper's is 50..370 by 10, config/paper_protocol.yaml; the default reaches "
        "down to 10, as with a grid starting at 50 the inner CV chose its lowest value in 44% of folds).",
    },
    "netnorm_tie_break": {
        "type": "string",
        "enum": ["original", "degree"],
        "default": "original",
        "description": "NetNorM ties: original (the published code: the gene later in the network's alphabetical "
        "order wins) or degree (a proxy gene's ties go to the higher degree).",
    },
}
MUTATION_COUNT_SETTINGS = {
    "mutation_count_genes": {
        "type": "string",
        "enum": ["network", "all"],
        "default": "network",
        "description": "Genes the mutation_count representation counts (network genes, as the NetNorM code, or "
        "every mutated gene).",
    }
}
SMOOTHING_SETTINGS = {
    "smoothing_alpha": {
        "type": "array",
        "items": {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
        "minItems": 1,
        "uniqueItems": True,
        "default": [0.3, 0.6, 0.9],
        "description": "Smoothing alpha grid for nsqn and smoothing (the paper's is 0.1..0.9 by 0.2).",
    },
    "smoothing": {
        "type": "object",
        "additionalProperties": False,
        "default": {},
        "properties": {
            "normalization": {
                "type": "string",
                "enum": ["symmetric", "degree"],
                "default": "symmetric",
                "description": "Adjacency normalisation (symmetric D^-1/2 A D^-1/2 as in NSQN; degree D^-1 A as in "
                "NBS).",
            },
            "tol": {
                "type": "number",
                "exclusiveMinimum": 0,
                "default": 1.0e-6,
                "description": "Relative residual at which smoothing has converged.",
            },
        },
    },
}
CLINICAL_SETTINGS = {
    "clinical_covariates": {
        "type": "array",
        "items": {"type": "string"},
        "default": [
            "age_at_diagnosis_years",
            "gender",
            "pathologic_stage",
            "pathologic_t",
            "pathologic_n",
            "pathologic_m",
            "clinical_stage",
        ],
        "description": "Clinical covariates used when present for a cancer type.",
    }
}


REGISTRY = Registry()
REGISTRY.add(
    Representation(
        "raw",
        "raw mutations",
        "#4c72b0",
        _raw,
        clustering="binary",
        description="every mutated gene, binary (no network)",
    )
)
REGISTRY.add(
    Representation(
        "raw_network",
        "raw, network genes",
        "#64b5cd",
        _raw_network,
        network="main",
        description="mutated genes of the network only, binary",
    )
)
REGISTRY.add(
    Representation(
        "mutation_count",
        "mutation count",
        "#8c8c8c",
        _mutation_count,
        settings=("mutation_count_genes",),
        declares=MUTATION_COUNT_SETTINGS,
        network="main",
        description="one feature: the number of mutated (network) genes",
    )
)
_NSQN = REGISTRY.add(
    Representation(
        "nsqn",
        "NSQN",
        "#dd8452",
        _nsqn,
        parameter="alpha",
        grid_key="smoothing_alpha",
        settings=("smoothing",),
        declares=SMOOTHING_SETTINGS,
        network="main",
        smoothing=True,
        adjacency=True,
        description="network smoothing + quantile normalisation",
    )
)
_SMOOTHING = REGISTRY.add(
    Representation(
        "smoothing",
        "smoothing",
        "#f1c27d",
        _smoothing,
        parameter="alpha",
        grid_key="smoothing_alpha",
        settings=("smoothing",),
        network="main",
        smoothing=True,
        adjacency=True,
        description="network smoothing alone",
    )
)
_NETNORM = REGISTRY.add(
    Representation(
        "netnorm",
        "NetNorM",
        "#c44e52",
        _netnorm,
        parameter="k",
        grid_key="netnorm_k",
        settings=("netnorm_tie_break",),
        declares=NETNORM_SETTINGS,
        check=_check_netnorm,
        network="main",
        adjacency=True,
        clustering="netnorm",
        description="exactly k mutated or proxy genes per patient",
    )
)
for base, colours in (
    (_NETNORM, {"permuted": "#e8a0a2", "rewired": "#9e3a3d"}),
    (_NSQN, {"permuted": "#f4b98e", "rewired": "#a85f2e"}),
):
    for control in NETWORK_CONTROLS:
        REGISTRY.add(
            replace(
                base,
                name=f"{base.name}_{control}",
                label=f"{base.label}, {control} network",
                colour=colours[control],
                network=control,
                family=base.name,
                declares={},
                clustering=None,
                description=f"{base.name} on the {control} control network",
            )
        )
# NBS (Hofree et al. 2013) is clustered, not benchmarked: the propagated profiles (smoothing with D^-1 A) are
# quantile-normalised over the clustered patients. It is drawn as NSQN, its benchmark counterpart.
_NBS = REGISTRY.add(
    Representation(
        "nbs",
        "nbs",
        _NSQN.colour,
        None,
        network="main",
        smoothing=True,
        benchmarked=False,
        clustering="propagated",
        description="NBS: network propagation + quantile normalisation (stratification only)",
    )
)
for control in NETWORK_CONTROLS:
    REGISTRY.add(
        replace(
            _NBS,
            name=f"nbs_{control}",
            label=f"nbs_{control}",
            colour=REGISTRY[f"nsqn_{control}"].colour,
            network=control,
            family="nbs",
            description=f"NBS on the {control} control network (stratification only)",
        )
    )
# The clinical model chose the weakest penalty of the default path in 47% of folds (66 of 140, docs/benchmarks.md):
# with a handful of covariates a longer path costs nothing.
REGISTRY.add(
    Representation(
        "clinical",
        "clinical",
        "#55a868",
        None,
        settings=("clinical_covariates",),
        declares=CLINICAL_SETTINGS,
        clinical=True,
        min_penalty_ratio=0.001,
        description="clinical covariates alone",
    )
)


def extend_schema(schema: dict) -> None:
    """Add the registry to the config schema: its names where representations are named, its settings."""
    benchmark = schema["properties"]["benchmark"]["properties"]
    names = REGISTRY.mutation_names()
    benchmark["representations"]["items"]["enum"] = names
    benchmark["comparisons"]["items"]["items"]["enum"] = [*names, "clinical"]
    add_settings(benchmark, REGISTRY.declared, "representation registry")
    stratification = schema["properties"]["stratification"]["properties"]
    stratification["representations"]["items"]["enum"] = REGISTRY.stratification_names()


def add_settings(properties: dict, declared: dict[str, dict], source: str) -> None:
    """Insert declared settings into a schema section; a key the section already holds is an error."""
    for key, schema in declared.items():
        if key in properties:
            raise ValueError(f"benchmark.{key} is declared by the {source} and by the schema file")
        properties[key] = schema
