"""Rule smooth_profiles: smoothed profiles of a whole cohort (float32, patients x network genes)."""

from pathlib import Path

import numpy as np

from pancan.atomic import atomic_path
from pancan.data.cohort import Cohort
from pancan.networks import GeneNetwork
from pancan.representations import align_to_network, smooth
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    cohort = Cohort.load(Path(sm.input.patients).parent, sm.wildcards.cancer)
    network = GeneNetwork.load(Path(sm.input.network_adjacency).parent, sm.wildcards.network)
    aligned = align_to_network(cohort, network)
    alpha, normalization = float(sm.wildcards.alpha), sm.wildcards.normalization
    smoothed = smooth(
        aligned.X, network.adjacency, alpha, normalization=normalization, tol=sm.params.tol, n_jobs=sm.threads
    )
    with atomic_path(sm.output[0]) as tmp, open(tmp, "wb") as handle:
        np.save(handle, smoothed.astype(np.float32, copy=False))
    log.info(
        "%s on %s, %s alpha=%g: %d patients x %d genes",
        cohort.cancer,
        network.name,
        normalization,
        alpha,
        *smoothed.shape,
    )
