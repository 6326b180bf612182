"""Readers for Pathway Commons SIF and STRING files (bundled snapshot or publisher downloads)."""

from __future__ import annotations

import csv
import io
import itertools
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pancan.data.tables import open_text, read_tsv
from pancan.errors import InputFileError
from pancan.networks.gene_network import GeneNetwork

logger = logging.getLogger(__name__)

# Pathway Commons participants that are not genes (small molecules, chemicals).
SMALL_MOLECULE_PREFIXES = ("CHEBI:", "PUBCHEM:", "PUBCHEM-COMPOUND:", "CHEMBL")
PC_SNAPSHOT_COLUMNS = ["gene_a", "gene_b", "interaction_type"]


def read_pathway_commons(path: str | Path) -> pd.DataFrame:
    """Pathway Commons gene-gene rows (gene_a, gene_b, interaction_type).

    Accepts the snapshot's headed table, the plain SIF (PARTICIPANT_A,
    INTERACTION_TYPE, PARTICIPANT_B, no header) and the extended SIF (pc-hgnc.txt:
    the same three columns first, with a header and data-source columns, then an
    empty line and a second section listing the participants, which is skipped).
    """
    path = Path(path)
    with open_text(path) as handle:
        first = handle.readline().rstrip("\r\n").split("\t")
    if first == [""]:
        raise InputFileError(path, "empty file: no edge")
    if first[:3] == PC_SNAPSHOT_COLUMNS:
        return read_tsv(path, PC_SNAPSHOT_COLUMNS, what="Pathway Commons table")[PC_SNAPSHOT_COLUMNS]
    if len(first) < 3:
        raise InputFileError(
            path, f"not a SIF file: expected 3 tab-separated columns, found {len(first)} in the first line"
        )
    has_header = first[0] == "PARTICIPANT_A"
    try:
        with open_text(path) as handle:
            if has_header:
                handle.readline()
            # the edge section ends at the first empty line (extended SIF: participants follow)
            edges = "".join(itertools.takewhile(lambda line: line.strip() != "", handle))
            rest = sum(1 for line in handle if line.strip())
        sif = pd.read_csv(
            io.StringIO(edges),
            sep="\t",
            header=None,
            usecols=[0, 1, 2],
            names=["gene_a", "interaction_type", "gene_b"],
            dtype=str,
            keep_default_na=False,
            quoting=csv.QUOTE_NONE,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, EOFError, OSError) as exc:
        raise InputFileError(path, f"malformed SIF: {exc}") from exc
    if rest:
        logger.info("%s: extended SIF; skipped its participant section (%d lines)", path, rest)
    return sif[PC_SNAPSHOT_COLUMNS]


def pathway_commons_network(
    path: str | Path, interaction_types: Sequence[str] = (), name: str = "pathway_commons"
) -> GeneNetwork:
    """Gene graph from Pathway Commons, small molecules dropped, optionally some interaction types only."""
    rows = read_pathway_commons(path)
    # one test per distinct participant, not per row
    codes, participants = pd.factorize(pd.concat([rows["gene_a"], rows["gene_b"]], ignore_index=True))
    small = pd.Series(participants, dtype=object).str.upper().str.startswith(SMALL_MOLECULE_PREFIXES)
    is_molecule = np.append(small.to_numpy(dtype=bool, na_value=False), False)[codes]  # code -1: a missing value
    rows = rows[~(is_molecule[: len(rows)] | is_molecule[len(rows) :])]
    if interaction_types:
        unknown = sorted(set(interaction_types) - set(rows["interaction_type"].unique()))
        if unknown:
            raise InputFileError(path, f"interaction type(s) {', '.join(unknown)} do not occur in this file")
        rows = rows[rows["interaction_type"].isin(list(interaction_types))]
    return GeneNetwork.from_edges(name, rows["gene_a"], rows["gene_b"], source=path)


def read_string_snapshot(path: str | Path) -> pd.DataFrame:
    """The snapshot's STRING table: gene_a, gene_b, combined_score (symbols already mapped)."""
    table = read_tsv(path, ["gene_a", "gene_b", "combined_score"], what="STRING table")
    table["combined_score"] = pd.to_numeric(table["combined_score"], errors="raise")
    return table


def _compression(path: Path) -> str | None:
    """gzip when the file starts with its magic, whatever its name (a download's temporary file ends in .part)."""
    if not path.exists():
        raise InputFileError(path, "file not found")
    with open(path, "rb") as handle:
        return "gzip" if handle.read(2) == b"\x1f\x8b" else None


def read_string_links(links_path: str | Path) -> pd.DataFrame:
    """STRING protein.links (space-separated protein1 protein2 combined_score), scores as integers."""
    links_path = Path(links_path)
    try:
        links = pd.read_csv(
            links_path,
            sep=" ",
            dtype={"protein1": str, "protein2": str, "combined_score": "int64"},
            compression=_compression(links_path),
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, EOFError, OSError) as exc:
        raise InputFileError(links_path, f"malformed STRING links file: {exc}") from exc
    missing = {"protein1", "protein2", "combined_score"} - set(links.columns)
    if missing:
        raise InputFileError(links_path, f"STRING links file lacks column(s) {', '.join(sorted(missing))}")
    return links


def read_string_info(info_path: str | Path) -> dict[str, str]:
    """STRING protein.info: protein id -> preferred gene name (rows without a name left out)."""
    info_path = Path(info_path)
    # The info header itself starts with '#' ("#string_protein_id"), so it is read as is.
    try:
        info = pd.read_csv(info_path, sep="\t", dtype=str, quoting=csv.QUOTE_NONE, compression=_compression(info_path))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, EOFError, OSError) as exc:
        raise InputFileError(info_path, f"malformed STRING info file: {exc}") from exc
    info.columns = [c.lstrip("\ufeff#") for c in info.columns]
    if not {"string_protein_id", "preferred_name"} <= set(info.columns):
        raise InputFileError(info_path, "STRING info file lacks string_protein_id / preferred_name columns")
    info = info.dropna(subset=["string_protein_id", "preferred_name"])
    if info.empty:
        raise InputFileError(info_path, "STRING info file names no protein (no row has an id and a preferred_name)")
    return dict(zip(info["string_protein_id"], info["preferred_name"]))


def read_string_download(links_path: str | Path, info_path: str | Path) -> pd.DataFrame:
    """STRING protein.links (space-separated) + protein.info, mapped to preferred gene names."""
    links = read_string_links(links_path)
    names = read_string_info(info_path)
    return pd.DataFrame(
        {
            "gene_a": links["protein1"].map(names),
            "gene_b": links["protein2"].map(names),
            "combined_score": links["combined_score"],
        }
    )


def string_network(table: pd.DataFrame, min_score: int, source: str | Path, name: str = "string") -> GeneNetwork:
    """Gene graph from STRING edges with combined_score >= min_score."""
    kept = table[table["combined_score"] >= min_score]
    return GeneNetwork.from_edges(name, kept["gene_a"], kept["gene_b"], source=source)


def check_string_links(path: str | Path, info_path: str | Path, min_score: int) -> GeneNetwork:
    """A STRING links file as prepare_network will read it, against the (pinned) info file: an edge between two
    named genes with combined_score >= min_score (InputFileError otherwise)."""
    links = read_string_links(path)
    if links.empty:
        raise InputFileError(path, "STRING links file has a header but no edge")
    best = int(links["combined_score"].max())
    if best < min_score:
        raise InputFileError(
            path,
            f"no edge has combined_score >= {min_score} (networks.string.min_score; the highest is {best})",
        )
    table = read_string_download(path, info_path)
    return string_network(table, min_score, source=path, name="string")
