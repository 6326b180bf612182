"""Rule simulate_planted_subtypes: ARI of NBS and raw clustering against planted subtypes, every fraction."""

from pathlib import Path

import scipy.sparse as sp

from pancan.atomic import write_table_atomic
from pancan.data.cohort import Cohort
from pancan.networks import GeneNetwork
from pancan.representations import align_to_network
from pancan.stratification import Factorization, simulate_recovery
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    cohort = Cohort.load(Path(sm.input.patients).parent)
    network = GeneNetwork.load(Path(sm.input.network_adjacency).parent)
    aligned = align_to_network(cohort, network)
    knn = sp.load_npz(sm.input.influence).tocsr()
    p = sm.params
    table = simulate_recovery(
        aligned.X,
        aligned.n_network,
        network.adjacency,
        knn,
        fractions=p.fractions,
        module_size=int(sm.wildcards.size),
        seed=p.base_seed + int(sm.wildcards.seed),
        n_subtypes=p.subtypes,
        runs=p.subsamples,
        alpha=p.alpha,
        regularizations=[p.regularization],
        max_iter=p.max_iter,
        tol=p.tol,
        raw_factorization=Factorization("nmf", 0.0, p.max_iter, p.raw_tol),
        patient_fraction=p.patient_fraction,
        gene_fraction=p.gene_fraction,
        min_mutations=p.min_mutations,
    )
    write_table_atomic(table, sm.output[0])
    log.info("module size %s, seed %s\n%s", sm.wildcards.size, sm.wildcards.seed, table.to_string(index=False))
