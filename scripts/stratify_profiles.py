"""Rule prepare_stratification_profiles: the clustering input of one representation, once per cohort."""

from pathlib import Path

import numpy as np

from pancan.data.cohort import Cohort
from pancan.networks import GeneNetwork
from pancan.stratification import build_profiles
from pancan.workflow_logging import rule_logging

sm = snakemake

with rule_logging(sm.log[0]) as log:
    cohort = Cohort.load(Path(sm.input.patients).parent, sm.wildcards.cancer)
    has_network = sm.input.get("network_adjacency") is not None
    network = GeneNetwork.load(Path(sm.input.network_adjacency).parent) if has_network else None
    smoothed = np.load(sm.input.smoothed) if sm.input.get("smoothed") else None
    profiles = build_profiles(
        sm.wildcards.representation,
        cohort,
        network,
        min_mutations=sm.params.min_mutations,
        smoothed=smoothed,
        netnorm_k=sm.params.netnorm_k,
        strict=sm.params.strict,
        ties=sm.params.quantile_ties,
    )
    profiles.save(sm.output[0])
    log.info(
        "%s %s: %d of %d patients (%s %d mutated genes) x %d features",
        cohort.cancer,
        sm.wildcards.representation,
        len(profiles.patients),
        len(cohort.patients),
        ">" if sm.params.strict else ">=",
        sm.params.min_mutations,
        len(profiles.features),
    )
