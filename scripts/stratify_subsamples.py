"""Rule cluster_subsamples: cluster labels of a batch of subsamples, for every k."""

import numpy as np
import scipy.sparse as sp

from pancan.atomic import atomic_path
from pancan.stratification import Factorization, Profiles, cluster_runs
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    profiles = Profiles.load(sm.input.profiles)
    knn = None
    if sm.input.get("influence"):  # restricted to the profiles' genes
        index = profiles.network_index
        knn = sp.load_npz(sm.input.influence).tocsr()[index][:, index]
    factorization = Factorization(sm.params.factorization, sm.params.regularization, sm.params.max_iter, sm.params.tol)
    labels = cluster_runs(
        profiles.X,
        sm.params.runs,
        sm.params.ks,
        factorization,
        seed=sm.params.seed,
        knn=knn,
        patient_fraction=sm.params.patient_fraction,
        feature_fraction=sm.params.gene_fraction,
    )
    with atomic_path(sm.output[0]) as tmp, open(tmp, "wb") as handle:
        np.savez_compressed(handle, labels=labels, runs=np.array(sm.params.runs), ks=np.array(sm.params.ks))
    log.info(
        "%s %s: subsamples %s, k = %s (%s)",
        sm.wildcards.cancer,
        sm.wildcards.representation,
        sm.params.runs,
        sm.params.ks,
        factorization.method,
    )
