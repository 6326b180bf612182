"""The representations the workflow knows, each declared once.

An entry says how to build the representation's transformer, which pipeline parameter
the benchmark searches and which config key holds its grid, which benchmark settings it
reads (a job's parameters, so that editing one grid reruns only its jobs), which network
it needs (the main one or a randomised control), and its colour and label in figures.
The config schema, the Snakemake rules, the benchmark engine, the figures and the summary
all read this table. Adding a representation is one entry plus its transformer:

    REGISTRY.add(Representation(
        name="netnorm_log", label="NetNorM (log count)", colour="#7f3b08",
        build=lambda context, settings: MyTransformer(context.adjacency),
        network="main", adjacency=True))
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from sklearn.base import TransformerMixin

from pancan.representations.netnorm import NetNorM
from pancan.representations.raw import MutationCount, RawMutations, RawNetworkMutations
from pancan.representations.smoothing import NSQN, NetworkSmoothing

NETWORK_CONTROLS = ("permuted", "rewired")


@dataclass(frozen=True)
class RepresentationContext:
    """What a transformer is built from: the network it uses and how many network genes lead the columns."""

    adjacency: object | None
    n_network: int
    n_jobs: int = 1


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
    description: str = ""

    def __post_init__(self):
        if not self.family:
            object.__setattr__(self, "family", self.name)

    def grid(self, settings) -> list:
        """Values of the searched parameter (one None value when nothing is searched)."""
        if self.grid_key is None:
            return [None]
        return sorted(getattr(settings, self.grid_key))

    def job_settings(self) -> tuple[str, ...]:
        return tuple(key for key in (self.grid_key, *self.settings) if key)


@dataclass
class Registry:
    entries: dict[str, Representation] = field(default_factory=dict)

    def add(self, entry: Representation) -> Representation:
        if entry.name in self.entries:
            raise ValueError(f"representation {entry.name!r} is declared twice")
        self.entries[entry.name] = entry
        return entry

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
        """Names usable in benchmark.representations (everything but the clinical model)."""
        return [entry.name for entry in self if not entry.clinical]

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
    grid = sorted(settings.netnorm_k)
    return NetNorM(context.adjacency, k=grid[0], max_k=grid[-1], tie_break=settings.netnorm_tie_break)


def _smoothing_options(settings) -> dict:
    return {"normalization": settings.smoothing_normalization, "tol": settings.smoothing_tol}


def _nsqn(context: RepresentationContext, settings) -> NSQN:
    return NSQN(context.adjacency, min(settings.smoothing_alpha), n_jobs=context.n_jobs, **_smoothing_options(settings))


def _smoothing(context: RepresentationContext, settings) -> NetworkSmoothing:
    return NetworkSmoothing(
        context.adjacency, min(settings.smoothing_alpha), n_jobs=context.n_jobs, **_smoothing_options(settings)
    )


def _mutation_count(context: RepresentationContext, settings) -> MutationCount:
    return MutationCount(n_network_genes=context.n_network if settings.mutation_count_genes == "network" else None)


REGISTRY = Registry()
REGISTRY.add(
    Representation(
        "raw",
        "raw mutations",
        "#4c72b0",
        lambda context, settings: RawMutations(),
        description="every mutated gene, binary (no network)",
    )
)
REGISTRY.add(
    Representation(
        "raw_network",
        "raw, network genes",
        "#64b5cd",
        lambda context, settings: RawNetworkMutations(context.n_network),
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
        network="main",
        adjacency=True,
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
                description=f"{base.name} on the {control} control network",
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
        clinical=True,
        min_penalty_ratio=0.001,
        description="clinical covariates alone",
    )
)


def schema_with_registry(schema: dict) -> dict:
    """The config schema with the registry's names as the allowed representations and comparison members."""
    benchmark = schema["properties"]["benchmark"]["properties"]
    names = REGISTRY.mutation_names()
    benchmark["representations"]["items"]["enum"] = names
    benchmark["comparisons"]["items"]["items"]["enum"] = [*names, "clinical"]
    return schema
