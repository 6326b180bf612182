"""The network sources the workflow knows, each declared once.

An entry names the files the source downloads (each a key of `network_urls` with its default
URL; downloaded to results/download/networks/<file>.txt.gz and pinned by
locks/network_<file>.json), builds the `GeneNetwork` from them and its settings
(`networks.<name>`), says how each downloaded file is checked before it is pinned, names its
table in the bundled snapshot if it has one, and declares the schema of its settings. The
config schema (`networks.use`, `networks.main`, `networks.<name>`, `network_urls`), the rules,
the download and prepare_network scripts and the report read this table. Adding a source is a
reader plus one entry:

    NETWORKS.add(NetworkSource(
        "my_network", "My network",
        files=(NetworkFile("my_network", "https://example.org/edges.tsv.gz", "My network's edge list."),),
        build=lambda files, settings: my_reader(files["my_network"], settings["min_weight"]),
        declares={"my_network": {"type": "object", "default": {}, "additionalProperties": False,
                                 "properties": {"min_weight": {"type": "number", "default": 0.5}}}}))

A file without its own `check` is checked by building the source's network from it (and from
the files it `needs`, downloaded and pinned first), so a file that yields no edge is never pinned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pancan.networks.gene_network import GeneNetwork
from pancan.networks.sources import (
    check_string_links,
    pathway_commons_network,
    read_string_download,
    read_string_info,
    read_string_snapshot,
    string_network,
)

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Names a file cannot take: it is also the name of its input in the rules (Snakemake's named lists reserve these).
RESERVED_FILE_NAMES = {"table", "index", "sort", "get", "items", "keys", "update", "count", "copy", "size"}
# Keys of the `networks` section that are not sources, and the suffixes of the randomised controls.
RESERVED_NETWORK_NAMES = {"use", "main"}
CONTROL_SUFFIXES = ("_permuted", "_rewired")  # pancan.representations.registry.NETWORK_CONTROLS

Files = Mapping[str, Path]


@dataclass(frozen=True)
class NetworkFile:
    """One file a source downloads: its name (key of `network_urls`, file and lock name) and default URL."""

    name: str
    url: str
    description: str = ""
    # (downloaded file, the source's settings, the pinned files it needs by name) -> raises InputFileError;
    # None: build the source's network from this file and those it needs
    check: Callable[[Path, dict, Files], object] | None = None
    needs: tuple[str, ...] = ()  # files of the same source downloaded and pinned first, which its check reads


@dataclass(frozen=True)
class NetworkSource:
    """One network source (see the module docstring)."""

    name: str
    label: str
    files: tuple[NetworkFile, ...]
    build: Callable[[Files, dict], GeneNetwork]  # (downloaded files by name, settings) -> network
    snapshot: str | None = None  # its table in the bundled snapshot (relative to snapshot_dir), if it has one
    read_snapshot: Callable[[Path, dict], GeneNetwork] | None = None  # (table, settings); None: build from it
    declares: dict[str, dict] = field(default_factory=dict)  # schema of its settings, {name: schema}
    edge_filter: Callable[[dict], str] | None = None  # settings -> the report's words for the edges kept
    description: str = ""

    def file(self, name: str) -> NetworkFile:
        for file in self.files:
            if file.name == name:
                return file
        raise KeyError(f"network {self.name!r} downloads no file {name!r}; its files: {self.file_names()}")

    def file_names(self) -> list[str]:
        return [file.name for file in self.files]

    def network(self, files: Files, settings: dict) -> GeneNetwork:
        """The network from its downloaded files (by name)."""
        missing = sorted(set(self.file_names()) - set(files))
        if missing:
            raise ValueError(f"network {self.name!r} is built from {self.file_names()}; missing {missing}")
        return self._named(self.build({name: Path(path) for name, path in files.items()}, settings))

    def from_snapshot(self, table: str | Path, settings: dict) -> GeneNetwork:
        """The network from its bundled snapshot table."""
        if self.snapshot is None:
            raise ValueError(f"network {self.name!r} has no table in the bundled snapshot")
        if self.read_snapshot is not None:
            return self._named(self.read_snapshot(Path(table), settings))
        return self.network({self.files[0].name: Path(table)}, settings)

    def check_file(self, name: str, path: str | Path, settings: dict, pinned: Files | None = None) -> None:
        """Check a downloaded file as prepare_network will read it, before it is pinned (InputFileError if bad)."""
        file = self.file(name)
        pinned = {key: Path(value) for key, value in (pinned or {}).items()}
        missing = sorted(set(file.needs) - set(pinned))
        if missing:
            raise ValueError(f"{name} is checked against {', '.join(file.needs)}: missing {', '.join(missing)}")
        if file.check is not None:
            file.check(Path(path), settings, {need: pinned[need] for need in file.needs})
        else:
            self.network({**{need: pinned[need] for need in file.needs}, name: Path(path)}, settings)

    def _named(self, network: GeneNetwork) -> GeneNetwork:
        if network.name != self.name:
            network = GeneNetwork(self.name, network.genes, network.adjacency)
        return network


@dataclass
class NetworkRegistry:
    entries: dict[str, NetworkSource] = field(default_factory=dict)
    declared: dict[str, dict] = field(default_factory=dict)  # networks.<key> -> schema, over every entry

    def add(self, entry: NetworkSource) -> NetworkSource:
        problems = self._problems(entry)
        if problems:
            raise ValueError(f"network source {entry.name!r}: {'; '.join(problems)}")
        self.entries[entry.name] = entry
        self.declared.update(entry.declares)
        return entry

    def _problems(self, entry: NetworkSource) -> list[str]:
        problems = []
        if entry.name in self.entries:
            problems.append("declared twice")
        if not NAME.match(entry.name) or entry.name in RESERVED_NETWORK_NAMES or entry.name.endswith(CONTROL_SUFFIXES):
            problems.append(
                "a name is lower-case letters, digits and _, neither use nor main, and does not end in "
                f"{' or '.join(CONTROL_SUFFIXES)} (randomised controls)"
            )
        if set(entry.declares) - {entry.name}:
            problems.append(f"its settings are networks.{entry.name}, not {sorted(set(entry.declares) - {entry.name})}")
        if not entry.files:
            problems.append("it downloads no file")
        names = entry.file_names()
        taken = {name for other in self for name in other.file_names()}
        for file in entry.files:
            if not NAME.match(file.name) or file.name in RESERVED_FILE_NAMES:
                problems.append(f"file name {file.name!r}: lower-case letters, digits and _, not {RESERVED_FILE_NAMES}")
            if file.name in taken or names.count(file.name) > 1:
                problems.append(f"file {file.name!r} is declared twice (a key of network_urls names one file)")
            if set(file.needs) - set(names) or file.name in file.needs:
                problems.append(f"file {file.name!r} needs {list(file.needs)}: not other files of this source")
            if file.check is None and set(file.needs) != set(names) - {file.name}:
                problems.append(f"file {file.name!r} has no check of its own: it needs every other file of the source")
        if not _acyclic({file.name: file.needs for file in entry.files}):
            problems.append("its files need each other in a cycle")
        if entry.snapshot is not None and entry.read_snapshot is None and len(entry.files) > 1:
            problems.append("a snapshot table of a source of several files needs read_snapshot")
        return problems

    def remove(self, name: str) -> None:
        """Take an entry out again, with its settings: for toy entries in tests."""
        entry = self.entries.pop(name)
        for key in entry.declares:
            self.declared.pop(key, None)

    def __getitem__(self, name: str) -> NetworkSource:
        try:
            return self.entries[name]
        except KeyError:
            raise KeyError(f"unknown network {name!r}; known: {', '.join(self.entries)}") from None

    def __contains__(self, name: str) -> bool:
        return name in self.entries

    def __iter__(self) -> Iterator[NetworkSource]:
        return iter(self.entries.values())

    def names(self) -> list[str]:
        return list(self.entries)

    def file_names(self) -> list[str]:
        """Every file a source downloads, in registry order."""
        return [file.name for entry in self for file in entry.files]

    def source_of(self, file: str) -> NetworkSource:
        """The source that downloads a file."""
        for entry in self:
            if file in entry.file_names():
                return entry
        raise KeyError(f"no network source downloads {file!r}; known files: {', '.join(self.file_names())}")

    def check_file(self, file: str, path: str | Path, settings: dict, pinned: Files | None = None) -> None:
        """Check a downloaded file of any source before it is pinned (see NetworkSource.check_file)."""
        self.source_of(file).check_file(file, path, settings, pinned)


def _acyclic(needs: dict[str, tuple[str, ...]]) -> bool:
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> bool:
        if name in path:
            return False
        if name in done or name not in needs:
            return True
        ok = all(visit(need, (*path, name)) for need in needs[name])
        done.add(name)
        return ok

    return all(visit(name, ()) for name in needs)


def extend_schema(schema: dict) -> None:
    """Add the registry to the config schema: its names in networks.use / main, its settings, its files' URLs."""
    networks = schema["properties"]["networks"]["properties"]
    names = NETWORKS.names()
    networks["use"]["items"]["enum"] = names
    networks["main"]["enum"] = names
    for key, declared in NETWORKS.declared.items():
        if key in networks:
            raise ValueError(f"networks.{key} is declared by the network registry and by the schema file")
        networks[key] = declared
    urls = schema["properties"]["network_urls"]["properties"]
    for entry in NETWORKS:
        for file in entry.files:
            if file.name in urls:
                raise ValueError(f"network_urls.{file.name} is declared by the network registry and by the schema file")
            urls[file.name] = {"type": "string", "default": file.url, "description": file.description}


# Pathway Commons: one SIF file (the snapshot holds its gene-gene rows in the same reader's headed layout).


def _pathway_commons(path: Path, settings: dict) -> GeneNetwork:
    return pathway_commons_network(path, settings.get("interaction_types", []), name="pathway_commons")


PATHWAY_COMMONS_SETTINGS = {
    "type": "object",
    "additionalProperties": False,
    "default": {},
    "properties": {
        "interaction_types": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "Pathway Commons interaction types kept; empty keeps every gene-gene type.",
        }
    },
}

# STRING: protein links named through the protein info file (the snapshot holds the named links >= 900).


def _string_min_score(settings: dict) -> int:
    return settings.get("min_score", 900)


def _string(files: Files, settings: dict) -> GeneNetwork:
    table = read_string_download(files["string_links"], files["string_info"])
    return string_network(table, _string_min_score(settings), source=files["string_links"], name="string")


def _string_snapshot(path: Path, settings: dict) -> GeneNetwork:
    return string_network(read_string_snapshot(path), _string_min_score(settings), source=path, name="string")


STRING_SETTINGS = {
    "type": "object",
    "additionalProperties": False,
    "default": {},
    "properties": {
        "min_score": {
            "type": "integer",
            "minimum": 0,
            "maximum": 1000,
            "default": 900,
            "description": "Minimum STRING combined_score (the snapshot holds edges >= 900 only).",
        }
    },
}


NETWORKS = NetworkRegistry()
NETWORKS.add(
    NetworkSource(
        "pathway_commons",
        "Pathway Commons",
        files=(
            NetworkFile(
                "pathway_commons",
                "https://download.baderlab.org/PathwayCommons/PC2/v14/pc-hgnc.txt.gz",
                "Pathway Commons HGNC file (gzip), extended SIF (pc-hgnc.txt.gz) or plain SIF.",
            ),
        ),
        build=lambda files, settings: _pathway_commons(files["pathway_commons"], settings),
        snapshot="networks/pathway_commons_v9_hgnc.tsv.gz",
        declares={"pathway_commons": PATHWAY_COMMONS_SETTINGS},
        description="gene-gene interactions of Pathway Commons (small molecules dropped)",
    )
)
NETWORKS.add(
    NetworkSource(
        "string",
        "STRING",
        files=(
            NetworkFile(
                "string_links",
                "https://stringdb-downloads.org/download/protein.links.v12.0/9606.protein.links.v12.0.txt.gz",
                "STRING human protein.links file.",
                check=lambda path, settings, pinned: check_string_links(
                    path, pinned["string_info"], _string_min_score(settings)
                ),
                needs=("string_info",),
            ),
            NetworkFile(
                "string_info",
                "https://stringdb-downloads.org/download/protein.info.v12.0/9606.protein.info.v12.0.txt.gz",
                "STRING human protein.info file (protein id to gene name).",
                check=lambda path, settings, pinned: read_string_info(path),
            ),
        ),
        build=_string,
        snapshot="networks/string_v9_score900.tsv.gz",
        read_snapshot=_string_snapshot,
        declares={"string": STRING_SETTINGS},
        edge_filter=lambda settings: f"combined score >= {_string_min_score(settings)}",
        description="STRING protein links with combined_score >= networks.string.min_score, named by protein.info",
    )
)
