"""Test helpers: a loopback HTTP server with injectable faults, and cBioPortal-layout fixtures."""

from __future__ import annotations

import gzip
import io
import tarfile
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = REPO / "resources" / "snapshot"
SHARED = REPO.parent / "shared" / "data"  # beside the checkout in CI only; tests must not need it
FIXTURES = REPO / "tests" / "data"  # vendored real files, see tests/data/PROVENANCE.md
STUDY_ES_0 = FIXTURES / "cbioportal" / "study_es_0"
DAYS_PER_MONTH = 365.25 / 12


class LoopbackServer:
    """Serves in-memory files on 127.0.0.1; `faults[path]` is a queue of per-request failures.

    Fault kinds: an HTTP status code (int), "truncate" (announce the full
    Content-Length, send half, close) and "slow" (never answer in time).
    """

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.faults: dict[str, list] = defaultdict(list)
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                server.requests.append(self.path)
                queue = server.faults.get(self.path)
                fault = queue.pop(0) if queue else None
                body = server.files.get(self.path)
                if isinstance(fault, int):
                    self.send_error(fault)
                    return
                if body is None:
                    self.send_error(404)
                    return
                if fault == "slow":
                    threading.Event().wait(3)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if fault == "truncate":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def tar_gz(members: dict[str, bytes]) -> bytes:
    """A .tar.gz holding `members` (name -> bytes)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def cbioportal_study_files(cancer: str, snapshot: Path = SNAPSHOT) -> dict[str, bytes]:
    """A snapshot cancer type converted to the cBioPortal datahub layout (MAF + clinical files).

    Samples get the primary-tumour barcode <patient>-01; survival goes to months
    (2 decimals, as cBioPortal writes it) and status to '1:DECEASED'/'0:LIVING'.
    A field holding '#' and a quoted field exercise the MAF parser.
    """
    root = snapshot / "tcga" / cancer
    calls = pd.read_csv(root / "mutations.tsv.gz", sep="\t", dtype=str)
    maf = pd.DataFrame(
        {
            "Hugo_Symbol": calls["gene"],
            "Entrez_Gene_Id": "0",
            "Center": "broad.mit.edu",
            "NCBI_Build": "GRCh37",
            "Variant_Classification": calls["variant_classification"],
            "Tumor_Sample_Barcode": calls["patient_id"] + "-01",
            "Comment": 'see #notes; "quoted"',
        }
    )
    maf_text = "#version 2.4\n" + maf.to_csv(sep="\t", index=False, lineterminator="\n")
    survival = pd.read_csv(root / "survival.tsv", sep="\t")
    clinical = pd.read_csv(root / "clinical.tsv", sep="\t")
    patients = survival.merge(clinical, on="patient_id", how="left")
    patient_table = pd.DataFrame(
        {
            "PATIENT_ID": patients["patient_id"],
            "OS_STATUS": patients["os_event"].map({1: "1:DECEASED", 0: "0:LIVING"}),
            "OS_MONTHS": (patients["os_days"] / DAYS_PER_MONTH).round(2),
            "AGE": patients["age_at_diagnosis_years"].round(0).astype("Int64"),
            "SEX": patients["gender"].str.capitalize(),
        }
    )
    header = "\n".join(
        [
            "#Patient Identifier\tOverall Survival Status\tOverall Survival (Months)\tAge\tSex",
            "#Patient identifier\tOS status\tOS months\tAge\tSex",
            "#STRING\tSTRING\tNUMBER\tNUMBER\tSTRING",
            "#1\t1\t1\t1\t1",
        ]
    )
    patient_text = (
        header + "\n" + patient_table.to_csv(sep="\t", index=False, na_rep="[Not Available]", lineterminator="\n")
    )
    sample_ids = sorted(set(calls["patient_id"]))
    sample_text = (
        "#Patient Identifier\tSample Identifier\n#a\tb\n#STRING\tSTRING\n#1\t1\nPATIENT_ID\tSAMPLE_ID\n"
        + "".join(f"{p}\t{p}-01\n" for p in sample_ids)
    )
    return {
        "data_mutations.txt": maf_text.encode(),
        "data_clinical_patient.txt": patient_text.encode(),
        "data_clinical_sample.txt": sample_text.encode(),
        "meta_study.txt": f"cancer_study_identifier: {cancer.lower()}_tcga_pan_can_atlas_2018\n".encode(),
    }


def study_archive(cancer: str, files: dict[str, bytes]) -> bytes:
    study = f"{cancer.lower()}_tcga_pan_can_atlas_2018"
    return tar_gz({f"{study}/{name}": data for name, data in files.items()})


SMALL_MOLECULE_ROWS = [
    ("CHEBI:15422", "consumption-controlled-by", "TP53"),
    ("TP53", "chemical-affects", "CHEBI:15422"),
]


def pathway_commons_sif_gz(snapshot: Path = SNAPSHOT) -> bytes:
    """The snapshot's Pathway Commons table as the publisher's plain SIF (`*.hgnc.sif`: 3 columns, no header),
    plus small-molecule rows."""
    table = pd.read_csv(snapshot / "networks" / "pathway_commons_v9_hgnc.tsv.gz", sep="\t", dtype=str)
    sif = table[["gene_a", "interaction_type", "gene_b"]]
    extra = "".join("\t".join(row) + "\n" for row in SMALL_MOLECULE_ROWS)
    text = sif.to_csv(sep="\t", index=False, header=False) + extra
    return gzip.compress(text.encode(), compresslevel=1)


def pathway_commons_extended_sif_gz(snapshot: Path = SNAPSHOT) -> bytes:
    """The snapshot's Pathway Commons table in the publisher's extended SIF layout (`pc-hgnc.txt.gz`).

    As in the real file (e.g. paxtoolsr's test_sifnx files, cut from Pathway Commons 12):
    a headed edge section (PARTICIPANT_A, INTERACTION_TYPE, PARTICIPANT_B,
    INTERACTION_DATA_SOURCE, INTERACTION_PUBMED_ID, PATHWAY_NAMES, MEDIATOR_IDS),
    an empty line, then a headed participant section (PARTICIPANT, PARTICIPANT_TYPE,
    PARTICIPANT_NAME, UNIFICATION_XREF, RELATIONSHIP_XREF) with protein names
    such as TP53_HUMAN and the small molecules.
    """
    table = pd.read_csv(snapshot / "networks" / "pathway_commons_v9_hgnc.tsv.gz", sep="\t", dtype=str)
    edges = table[["gene_a", "interaction_type", "gene_b"]].copy()
    edges = pd.concat([edges, pd.DataFrame(SMALL_MOLECULE_ROWS, columns=edges.columns)], ignore_index=True)
    edges["INTERACTION_DATA_SOURCE"] = "Reactome;PhosphoSite"
    edges["INTERACTION_PUBMED_ID"] = "17360977;20363803"
    edges["PATHWAY_NAMES"] = ""
    edges["MEDIATOR_IDS"] = "http://identifiers.org/reactome/R-HSA-983157"
    edge_header = "PARTICIPANT_A\tINTERACTION_TYPE\tPARTICIPANT_B\tINTERACTION_DATA_SOURCE\tINTERACTION_PUBMED_ID\tPATHWAY_NAMES\tMEDIATOR_IDS\n"
    genes = sorted(set(table["gene_a"]) | set(table["gene_b"]))
    participants = (
        "".join(
            f"{gene}\tProteinReference\t{gene}_HUMAN\tuniprot knowledgebase:P{i:05d}\thgnc symbol:{gene};ncbi gene:{i}\n"
            for i, gene in enumerate(genes)
        )
        + "CHEBI:15422\tSmallMoleculeReference\tATP\tchebi:CHEBI:15422\t\n"
    )
    text = (
        edge_header
        + edges.to_csv(sep="\t", index=False, header=False)
        + "\nPARTICIPANT\tPARTICIPANT_TYPE\tPARTICIPANT_NAME\tUNIFICATION_XREF\tRELATIONSHIP_XREF\n"
        + participants
    )
    return gzip.compress(text.encode(), compresslevel=1)


def string_download_files(snapshot: Path = SNAPSHOT) -> tuple[bytes, bytes]:
    """The snapshot's STRING edges as publisher protein.links / protein.info files (made-up protein ids)."""
    table = pd.read_csv(snapshot / "networks" / "string_v9_score900.tsv.gz", sep="\t", dtype=str)
    genes = sorted(set(table["gene_a"]) | set(table["gene_b"]))
    protein = {g: f"9606.ENSP{i:011d}" for i, g in enumerate(genes)}
    links = pd.DataFrame(
        {
            "protein1": table["gene_a"].map(protein),
            "protein2": table["gene_b"].map(protein),
            "combined_score": table["combined_score"],
        }
    )
    # STRING lists each edge in both directions, and low-score edges too.
    low = links.head(50).assign(combined_score="400")
    both = pd.concat([links, links.rename(columns={"protein1": "protein2", "protein2": "protein1"}), low])
    links_text = both.to_csv(sep=" ", index=False)
    info_text = "#string_protein_id\tpreferred_name\tprotein_size\tannotation\n" + "".join(
        f"{pid}\t{gene}\t100\tannotation of {gene}\n" for gene, pid in protein.items()
    )
    return gzip.compress(links_text.encode(), 1), gzip.compress(info_text.encode(), 1)
