"""Rule find_subtype_signatures: rank-sum tests per subtype and gene (BH), signature genes and their network module."""

from pathlib import Path

import pandas as pd

from pancan.atomic import write_table_atomic
from pancan.networks import GeneNetwork
from pancan.stratification import Profiles, rank_sum_by_subtype, signatures_and_modules
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    profiles = Profiles.load(sm.input.profiles)
    assignments = pd.read_csv(sm.input.assignments, sep="\t", dtype={"patient_id": str}).set_index("patient_id")
    subtypes = assignments.loc[profiles.patients, "subtype"]
    clustered = subtypes.notna().to_numpy()  # pyNBS's scheme may never cluster a patient
    X = profiles.X[clustered]
    X = X.toarray() if hasattr(X, "toarray") else X
    tests = rank_sum_by_subtype(X, subtypes[clustered].to_numpy(dtype=int), profiles.features)
    network = GeneNetwork.load(Path(sm.input.network_adjacency).parent)
    signatures, modules = signatures_and_modules(
        tests, network.adjacency, network.genes, fdr=sm.params.fdr, max_genes=sm.params.max_genes
    )
    write_table_atomic(signatures, sm.output.signatures)
    write_table_atomic(modules, sm.output.modules)
    counts = signatures.groupby("subtype")["in_module"].agg(["size", "sum"])
    log.info(
        "%s %s: signature genes (q < %g, at most %d) and module genes per subtype\n%s",
        sm.wildcards.cancer,
        sm.wildcards.representation,
        sm.params.fdr,
        sm.params.max_genes,
        counts.to_string(),
    )
