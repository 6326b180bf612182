"""Gene networks: canonical graph from edges, publisher formats, snapshot integrity."""

import gzip

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from helpers import SHARED, SNAPSHOT, pathway_commons_extended_sif_gz, pathway_commons_sif_gz, string_download_files

from pancan.data.manifest import verify_files
from pancan.errors import ChecksumMismatchError, InputFileError
from pancan.networks.gene_network import GeneNetwork
from pancan.networks.sources import (
    pathway_commons_network,
    read_pathway_commons,
    read_string_download,
    read_string_snapshot,
    string_network,
)


def test_from_edges_symmetric_dedup_no_self_loops():
    network = GeneNetwork.from_edges(
        "t", pd.Series(["B", "A", "A", "C", "C", " D "]), pd.Series(["A", "B", "B", "C", "A", "A"])
    )
    assert network.genes.tolist() == ["A", "B", "C", "D"]
    dense = network.adjacency.toarray()
    assert (dense == dense.T).all() and np.diag(dense).sum() == 0
    assert network.n_edges == 3 and network.degree().tolist() == [3, 1, 1, 1]


def test_missing_blank_and_padded_names_are_read_as_a_plain_loop_reads_them():
    """Names are stripped; a missing or blank name drops its edge; so does a self-loop after stripping; a gene whose
    every edge is dropped is not in the network. Checked against a row-by-row reading."""
    gene_a = pd.Series(["A", " A", None, "", "B ", "C", "E", "E", np.nan, "F"], dtype=object)
    gene_b = pd.Series(["B", "C ", "D", "D", "B", "A", None, "  ", "G", "A"], dtype=object)
    edges, genes = set(), set()
    for a, b in zip(gene_a, gene_b):
        a, b = (name.strip() if isinstance(name, str) else "" for name in (a, b))
        if a and b and a != b:
            edges.add(frozenset((a, b)))
            genes.update((a, b))
    network = GeneNetwork.from_edges("t", gene_a, gene_b)
    assert network.genes.tolist() == sorted(genes) == ["A", "B", "C", "F"]
    rows, cols = network.adjacency.nonzero()
    assert {frozenset((network.genes[i], network.genes[j])) for i, j in zip(rows, cols)} == edges


def test_a_network_with_no_name_at_all_is_an_error_naming_its_file():
    missing = pd.Series([None, np.nan], dtype=object)
    with pytest.raises(InputFileError, match="links.txt: network 's' has no gene-gene edge left after filtering"):
        GeneNetwork.from_edges("s", missing, missing, source="links.txt")


def test_empty_network_is_an_error(tmp_path):
    path = tmp_path / "pc.tsv"
    path.write_text("gene_a\tgene_b\tinteraction_type\nCHEBI:1\tTP53\tinteracts-with\nTP53\tTP53\tinteracts-with\n")
    with pytest.raises(InputFileError, match="pc.tsv: network 'pathway_commons' has no gene-gene edge"):
        pathway_commons_network(path)
    with pytest.raises(InputFileError, match="interaction type.*no-such-type"):
        pathway_commons_network(path, ["no-such-type"])


@pytest.fixture(scope="module")
def pathway_commons():
    return pathway_commons_network(SNAPSHOT / "networks" / "pathway_commons_v9_hgnc.tsv.gz")


def test_pathway_commons_matches_readme_and_networkx(pathway_commons):
    # ../shared/data/README.md: 20,057 nodes, 842,761 unique undirected pairs
    assert pathway_commons.summary()["nodes"] == 20057 and pathway_commons.n_edges == 842761
    table = pd.read_csv(SNAPSHOT / "networks" / "pathway_commons_v9_hgnc.tsv.gz", sep="\t")
    graph = nx.from_pandas_edgelist(table, "gene_a", "gene_b")
    graph.remove_edges_from(nx.selfloop_edges(graph))
    assert graph.number_of_edges() == pathway_commons.n_edges
    degree = dict(graph.degree())
    ours = dict(zip(pathway_commons.genes, pathway_commons.degree()))
    assert all(ours[g] == degree[g] for g in ["TP53", "EGFR", "KRAS", "A1BG"])


@pytest.mark.parametrize("layout", ["plain", "extended"])
def test_publisher_sif_gives_the_same_graph(tmp_path, pathway_commons, layout):
    """Plain SIF and extended SIF (whose second section lists participants) give the snapshot's graph."""
    sif = tmp_path / f"pc-{layout}.txt.gz"
    sif.write_bytes(pathway_commons_sif_gz() if layout == "plain" else pathway_commons_extended_sif_gz())
    from_sif = pathway_commons_network(sif)
    assert from_sif.genes.tolist() == pathway_commons.genes.tolist()  # CHEBI rows dropped, no participant rows
    assert (from_sif.adjacency != pathway_commons.adjacency).nnz == 0


def test_extended_sif_participants_are_not_edges(tmp_path):
    text = (
        "PARTICIPANT_A\tINTERACTION_TYPE\tPARTICIPANT_B\tINTERACTION_DATA_SOURCE\tINTERACTION_PUBMED_ID\tPATHWAY_NAMES\n"
        "AKT1\tcontrols-phosphorylation-of\tIRS1\tPhosphoSite\t17360977;17640984\t\n"
        "AKT1\tneighbor-of\tIRS1\tPhosphoSite\t17360977\t\n"
        "\n"
        "PARTICIPANT\tPARTICIPANT_TYPE\tPARTICIPANT_NAME\tUNIFICATION_XREF\tRELATIONSHIP_XREF\n"
        "AKT1\tProteinReference\tAKT1_HUMAN\tUniProt Knowledgebase:P31749\tHGNC:391\n"
        "IRS1\tProteinReference\tIRS1_HUMAN\tUniProt Knowledgebase:P35568\tHGNC:6125\n"
    )
    path = tmp_path / "pc-hgnc.txt.gz"
    path.write_bytes(gzip.compress(text.encode()))
    rows = read_pathway_commons(path)
    assert rows.values.tolist() == [["AKT1", "IRS1", "controls-phosphorylation-of"], ["AKT1", "IRS1", "neighbor-of"]]
    network = pathway_commons_network(path)
    assert network.genes.tolist() == ["AKT1", "IRS1"] and network.n_edges == 1


def test_interaction_type_filter(pathway_commons):
    only = pathway_commons_network(SNAPSHOT / "networks" / "pathway_commons_v9_hgnc.tsv.gz", ["in-complex-with"])
    assert 0 < only.n_edges < pathway_commons.n_edges


def test_string_snapshot_and_download_formats_agree(tmp_path):
    snapshot = string_network(read_string_snapshot(SNAPSHOT / "networks" / "string_v9_score900.tsv.gz"), 900, "s")
    assert snapshot.summary()["nodes"] == 9029 and snapshot.n_edges == 72212
    links, info = string_download_files()
    (tmp_path / "links.txt.gz").write_bytes(links)
    (tmp_path / "info.txt.gz").write_bytes(info)
    downloaded = string_network(read_string_download(tmp_path / "links.txt.gz", tmp_path / "info.txt.gz"), 900, "d")
    assert downloaded.genes.tolist() == snapshot.genes.tolist()
    assert (downloaded.adjacency != snapshot.adjacency).nnz == 0
    lenient = string_network(read_string_download(tmp_path / "links.txt.gz", tmp_path / "info.txt.gz"), 400, "d")
    assert lenient.n_edges >= snapshot.n_edges


def test_malformed_string_links(tmp_path):
    (tmp_path / "links.txt.gz").write_bytes(gzip.compress(b"a b c\n1 2 3\n"))
    (tmp_path / "info.txt").write_text("#string_protein_id\tpreferred_name\n")
    with pytest.raises(InputFileError, match="links.txt.gz"):
        read_string_download(tmp_path / "links.txt.gz", tmp_path / "info.txt")


def test_snapshot_manifest_verifies_and_detects_changes(tmp_path):
    verify_files(SNAPSHOT)
    copy = tmp_path / "snap"
    (copy / "tcga" / "GBM").mkdir(parents=True)
    for name in ("MANIFEST.sha256", "tcga/GBM/survival.tsv"):
        (copy / name).write_bytes((SNAPSHOT / name).read_bytes())
    verify_files(copy, ["tcga/GBM/survival.tsv"])
    with open(copy / "tcga" / "GBM" / "survival.tsv", "a") as handle:
        handle.write("TCGA-XX-XXXX\t1.0\t0\n")
    with pytest.raises(ChecksumMismatchError, match="survival.tsv: checksum mismatch"):
        verify_files(copy, ["tcga/GBM/survival.tsv"])


@pytest.mark.shared
@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data is not beside this checkout")
def test_snapshot_is_faithful_to_the_shared_source():
    for cancer in ["GBM", "OV"]:
        ours = pd.read_csv(SNAPSHOT / "tcga" / cancer / "mutations.tsv.gz", sep="\t")
        source = pd.read_csv(SHARED / "tcga" / cancer / "mutations.tsv.gz", sep="\t")
        key = ["patient_id", "gene", "variant_classification"]
        assert ours.sort_values(key).reset_index(drop=True).equals(source[key].sort_values(key).reset_index(drop=True))
