"""Rule cluster_subsamples: cluster labels of a batch of subsamples, for every k.

scheme pynbs (nbs*, raw): each subsample is drawn from the cohort's mutations and, for
NBS, propagated and quantile-normalised on its own (stratification/sampling.py); the
labels of the profiles' patients are kept. scheme cohort, and netnorm under either
scheme: subsamples of the profiles computed once per cohort (stratification/consensus.py).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from pancan.atomic import atomic_path
from pancan.data.cohort import Cohort
from pancan.networks import GeneNetwork
from pancan.representations import align_to_network
from pancan.stratification import Factorization, Profiles, cluster_runs, cluster_runs_pynbs
from pancan.stratification.checks import check_ranks
from pancan.workflow_logging import rule_logging

sm = snakemake
p = sm.params

with rule_logging(sm.log[0]) as log:
    profiles = Profiles.load(sm.input.profiles)
    check_ranks(
        f"{sm.wildcards.cancer} {sm.wildcards.representation}",
        len(profiles.patients),
        profiles.X.shape[1],
        p.ks,
        p.patient_fraction,
        p.gene_fraction,
    )
    knn = sp.load_npz(sm.input.influence).tocsr() if sm.input.get("influence") else None
    factorization = Factorization(p.factorization, p.regularization, p.max_iter, p.tol)
    if sm.input.get("mutations"):  # pyNBS's scheme
        cohort = Cohort.load(Path(sm.input.mutations).parent, sm.wildcards.cancer)
        network = (
            GeneNetwork.load(Path(sm.input.network_adjacency).parent) if sm.input.get("network_adjacency") else None
        )
        if network is not None:
            aligned = align_to_network(cohort, network)
            mutations, n_network, adjacency = aligned.X, aligned.n_network, network.adjacency
        else:
            mutations, n_network, adjacency = cohort.mutations, 0, None
        labels = cluster_runs_pynbs(
            mutations,
            p.runs,
            p.ks,
            factorization,
            seed=p.seed,
            n_network=n_network,
            adjacency=adjacency,
            knn=knn,
            alpha=p.alpha,
            patient_fraction=p.patient_fraction,
            gene_fraction=p.gene_fraction,
            min_mutations=p.min_mutations,
            ties=p.quantile_ties,
        )
        # the profiles' patients (the only ones the filter can keep), in the cohort's order
        rows = pd.Index(cohort.patients["patient_id"].astype(str)).get_indexer(profiles.patients.astype(str))
        labels = labels[:, :, rows]
        scheme = "pynbs"
    else:
        if knn is not None:  # restricted to the profiles' genes
            knn = knn[profiles.network_index][:, profiles.network_index]
        labels = cluster_runs(
            profiles.X,
            p.runs,
            p.ks,
            factorization,
            seed=p.seed,
            knn=knn,
            patient_fraction=p.patient_fraction,
            feature_fraction=p.gene_fraction,
        )
        scheme = "cohort"
    with atomic_path(sm.output[0]) as tmp, open(tmp, "wb") as handle:
        np.savez_compressed(handle, labels=labels, runs=np.array(p.runs), ks=np.array(p.ks))
    clustered = (labels[0] >= 0).sum(axis=1)
    log.info(
        "%s %s: subsamples %s, k = %s (%s, scheme %s); patients clustered per subsample %s",
        sm.wildcards.cancer,
        sm.wildcards.representation,
        p.runs,
        p.ks,
        factorization.method,
        scheme,
        clustered.tolist(),
    )
