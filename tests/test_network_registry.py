"""The network registry: its entries build today's networks, and the README's toy source runs end to end
(registry entry -> schema -> download checked and pinned -> network built from a few real edges)."""

import gzip
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from helpers import REPO, SNAPSHOT

from pancan import config_schema
from pancan.config_validation import ConfigError
from pancan.data.download import DownloadError, download_locked
from pancan.errors import InputFileError
from pancan.networks.gene_network import GeneNetwork
from pancan.networks.registry import CONTROL_SUFFIXES, NETWORKS, NetworkFile, NetworkRegistry, NetworkSource
from pancan.networks.sources import (
    pathway_commons_network,
    read_string_download,
    read_string_snapshot,
    string_network,
)
from pancan.representations.registry import NETWORK_CONTROLS

SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
HEADING = "**Adding a network source**"
# Real interactions (each in the Pathway Commons snapshot); UBC is a hub the toy's setting drops.
REAL_EDGES = [
    ("TP53", "MDM2"),
    ("MDM2", "MDM4"),
    ("EGFR", "GRB2"),
    ("GRB2", "SOS1"),
    ("SOS1", "KRAS"),
    ("KRAS", "RAF1"),
    ("BRAF", "MAP2K1"),
    ("MAP2K1", "MAPK1"),
    ("UBC", "TP53"),
]


def readme_block() -> str:
    """The python block of the README's "Adding a network source"."""
    text = (REPO / "README.md").read_text()
    return re.search(r"```python\n(.*?)```", text[text.index(HEADING) :], re.DOTALL).group(1)


def same_network(a: GeneNetwork, b: GeneNetwork) -> None:
    assert a.name == b.name and a.genes.tolist() == b.genes.tolist()
    assert a.adjacency.dtype == b.adjacency.dtype and (a.adjacency != b.adjacency).nnz == 0


@pytest.mark.parametrize("settings", [{}, {"min_score": 950}])
def test_string_entry_builds_the_network_the_readers_build(tmp_path, settings):
    """As prepare_network built it before the registry: the snapshot table, and the publisher's two files."""
    from helpers import string_download_files

    source = NETWORKS["string"]
    table = SNAPSHOT / source.snapshot
    min_score = settings.get("min_score", 900)
    same_network(source.from_snapshot(table, settings), string_network(read_string_snapshot(table), min_score, table))
    links, info = string_download_files()
    files = {"string_links": tmp_path / "links.txt.gz", "string_info": tmp_path / "info.txt.gz"}
    files["string_links"].write_bytes(links)
    files["string_info"].write_bytes(info)
    downloaded = string_network(read_string_download(files["string_links"], files["string_info"]), min_score, "d")
    same_network(source.network(files, settings), downloaded)


def test_pathway_commons_entry_builds_the_network_the_reader_builds(tmp_path):
    source = NETWORKS["pathway_commons"]
    table = SNAPSHOT / source.snapshot
    same_network(source.from_snapshot(table, {}), pathway_commons_network(table))
    sif = tmp_path / "pc.txt"  # the setting reaches the reader
    sif.write_text("TP53\tinteracts-with\tMDM2\nKRAS\tin-complex-with\tRAF1\nCHEBI:15422\tin-complex-with\tKRAS\n")
    settings = {"interaction_types": ["in-complex-with"]}
    same_network(source.network({"pathway_commons": sif}, settings), pathway_commons_network(sif, ["in-complex-with"]))
    assert source.network({"pathway_commons": sif}, settings).genes.tolist() == ["KRAS", "RAF1"]


def test_schema_is_generated_from_the_registry():
    schema = config_schema.workflow_schema()["properties"]
    networks = schema["networks"]["properties"]
    assert networks["use"]["items"]["enum"] == networks["main"]["enum"] == ["pathway_commons", "string"]
    assert networks["string"]["properties"]["min_score"]["default"] == 900
    assert list(schema["network_urls"]["properties"]) == ["pathway_commons", "string_links", "string_info"]


@pytest.fixture
def toy_source():
    namespace: dict = {}
    exec(compile(readme_block(), "README.md", "exec"), namespace)
    config_schema.refresh()
    yield NETWORKS["my_edges"]
    NETWORKS.remove("my_edges")
    config_schema.refresh()


def test_readme_toy_source_runs_end_to_end(toy_source, tmp_path):
    source = toy_source
    edges = tmp_path / "edges.tsv.gz"
    edges.write_bytes(gzip.compress("".join(f"{a}\t{b}\n" for a, b in REAL_EDGES).encode()))
    config = config_schema.validate_workflow_config(
        {
            "networks": {"use": ["my_edges"], "main": "my_edges", "my_edges": {"drop_genes": ["UBC"]}},
            "network_urls": {"my_edges": edges.as_uri()},
        }
    )
    assert config["networks"]["my_edges"] == {"drop_genes": ["UBC"]}
    assert config_schema.default_config()["network_urls"]["my_edges"] == "https://example.org/my_edges.tsv.gz"
    # downloaded, checked and pinned as rule download_network_file does it
    settings = config["networks"]["my_edges"]
    dest, lock = tmp_path / "download" / "my_edges.txt.gz", tmp_path / "locks" / "network_my_edges.json"
    download_locked(
        config["network_urls"]["my_edges"],
        dest,
        lock,
        validate=lambda path, label: source.check_file("my_edges", path, settings),
        retries=0,
    )
    assert lock.exists() and dest.read_bytes() == edges.read_bytes()
    # built as rule prepare_network does it
    network = source.network({"my_edges": dest}, settings)
    assert network.name == "my_edges" and "UBC" not in network.genes
    assert network.genes.tolist() == sorted({gene for edge in REAL_EDGES[:-1] for gene in edge})
    assert network.n_edges == len(REAL_EDGES) - 1
    table = pd.read_csv(SNAPSHOT / NETWORKS["pathway_commons"].snapshot, sep="\t", usecols=["gene_a", "gene_b"])
    known = set(zip(table["gene_a"], table["gene_b"], strict=True))
    assert all((a, b) in known or (b, a) in known for a, b in REAL_EDGES)  # real edges
    # a file that gives no edge is never pinned
    bad = tmp_path / "bad.tsv.gz"
    bad.write_bytes(gzip.compress(b"UBC\tTP53\nKRAS\tKRAS\n"))
    other_lock = tmp_path / "locks" / "network_bad.json"
    with pytest.raises(DownloadError, match="network 'my_edges' has no gene-gene edge left after filtering"):
        download_locked(
            bad.as_uri(),
            tmp_path / "download" / "bad.txt.gz",
            other_lock,
            validate=lambda path, label: NETWORKS.check_file("my_edges", path, settings),
            retries=0,
        )
    assert not other_lock.exists()


def test_toy_source_is_gone_after_its_removal(toy_source):
    NETWORKS.remove("my_edges")
    config_schema.refresh()
    with pytest.raises(ConfigError, match=r"networks.use\[0\]: 'my_edges' is not one of"):
        config_schema.validate_workflow_config({"networks": {"use": ["my_edges"], "main": "my_edges"}})
    NETWORKS.add(toy_source)  # the fixture removes it again


def build_nothing(files, settings):
    raise AssertionError("not built")


@pytest.mark.parametrize(
    "entry, problem",
    [
        (NetworkSource("string", "again", (NetworkFile("x", "u"),), build_nothing), "declared twice"),
        (NetworkSource("Bad-Name", "b", (NetworkFile("x", "u"),), build_nothing), "a name is lower-case"),
        (NetworkSource("pc_rewired", "b", (NetworkFile("x", "u"),), build_nothing), "does not end in"),
        (NetworkSource("use", "b", (NetworkFile("x", "u"),), build_nothing), "neither use nor main"),
        (NetworkSource("toy", "t", (NetworkFile("string_info", "u"),), build_nothing), "'string_info' is declared"),
        (NetworkSource("toy", "t", (NetworkFile("table", "u"),), build_nothing), "file name 'table'"),
        (NetworkSource("toy", "t", (), build_nothing), "downloads no file"),
        (
            NetworkSource("toy", "t", (NetworkFile("a", "u"), NetworkFile("b", "u")), build_nothing),
            "file 'a' has no check of its own: it needs every other file",
        ),
        (
            NetworkSource(
                "toy", "t", (NetworkFile("a", "u", needs=("b",)), NetworkFile("b", "u", needs=("a",))), build_nothing
            ),
            "its files need each other in a cycle",
        ),
        (
            NetworkSource("toy", "t", (NetworkFile("a", "u"),), build_nothing, declares={"other": {}}),
            "its settings are networks.toy, not ['other']",
        ),
    ],
)
def test_malformed_entries_are_refused(entry, problem):
    registry = NetworkRegistry()
    for existing in NETWORKS:
        registry.add(existing)
    with pytest.raises(ValueError, match=re.escape(problem)):
        registry.add(entry)


def test_source_names_cannot_be_taken_for_randomised_controls():
    assert tuple(f"_{control}" for control in NETWORK_CONTROLS) == CONTROL_SUFFIXES


def test_a_file_is_checked_against_the_files_it_needs(tmp_path):
    with pytest.raises(ValueError, match="string_links is checked against string_info: missing string_info"):
        NETWORKS.check_file("string_links", tmp_path / "links.txt.gz", {"min_score": 900})
    with pytest.raises(InputFileError, match="file not found"):
        NETWORKS.check_file("string_info", tmp_path / "info.txt.gz", {})
    with pytest.raises(KeyError, match="no network source downloads 'nothing'"):
        NETWORKS.source_of("nothing")


@pytest.mark.workflow
def test_toy_source_runs_in_the_workflow(tmp_path):
    """The README's toy entry added to a copy of the checkout's registry, and nothing else: the workflow downloads,
    checks and pins its file (a file:// URL) and builds its network; with the snapshot it is an error at start."""
    checkout = tmp_path / "pancan"
    checkout.mkdir()
    for part in ["Snakefile", "workflow", "scripts", "src", "config", "envs", "profiles"]:
        if (REPO / part).is_dir():
            shutil.copytree(REPO / part, checkout / part, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(REPO / part, checkout / part)
    registry = checkout / "src" / "pancan" / "networks" / "registry.py"
    registry.write_text(f"{registry.read_text()}\n\n{readme_block()}")
    edges = tmp_path / "edges.tsv.gz"
    edges.write_bytes(gzip.compress("".join(f"{a}\t{b}\n" for a, b in REAL_EDGES).encode()))
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config.update(
        data_source="cbioportal",
        cancer_types=["GBM"],
        networks={"use": ["my_edges"], "main": "my_edges", "my_edges": {"drop_genes": ["UBC"]}},
    )
    config["network_urls"]["my_edges"] = edges.as_uri()
    workdir = tmp_path / "analysis"
    (workdir / "config").mkdir(parents=True)
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    target = "results/networks/my_edges/genes.txt"

    def snakemake(*args):
        command = [SNAKEMAKE, "-s", str(checkout / "Snakefile"), "-d", str(workdir), "--cores", "1", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=600)

    planned = snakemake("--dry-run", target)
    assert planned.returncode == 0, planned.stderr[-3000:]
    assert re.search(r"download_network_file\s+1", planned.stdout) and re.search(r"prepare_network\s+1", planned.stdout)
    result = snakemake(target)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (workdir / target).read_text().split() == sorted({gene for edge in REAL_EDGES[:-1] for gene in edge})
    assert (workdir / "locks" / "network_my_edges.json").exists()
    config.update(data_source="snapshot", snapshot_dir=str(SNAPSHOT))
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    refused = snakemake("--dry-run", target)
    assert refused.returncode != 0
    assert "networks.use ['my_edges']: not in the bundled snapshot" in refused.stdout + refused.stderr
