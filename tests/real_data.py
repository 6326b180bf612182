"""Real cohorts and the real Pathway Commons network, built from the repository's snapshot (cached per session)."""

from __future__ import annotations

from functools import cache

from helpers import SNAPSHOT

from pancan.data.cohort import Cohort, build_cohort
from pancan.data.cohort_inputs import snapshot_inputs
from pancan.data.mutation_calls import NON_SILENT_CLASSES
from pancan.networks.gene_network import GeneNetwork
from pancan.networks.sources import pathway_commons_network
from pancan.representations import AlignedMutations, NetworkAdjacency, align_to_network

PREFERENCE = ["01", "03", "05", "02", "06", "07"]


@cache
def pathway_commons() -> GeneNetwork:
    return pathway_commons_network(SNAPSHOT / "networks" / "pathway_commons_v9_hgnc.tsv.gz")


@cache
def pathway_commons_adjacency() -> NetworkAdjacency:
    return NetworkAdjacency(pathway_commons().adjacency)


@cache
def snapshot_cohort(cancer: str, drop_zero_time: bool = False) -> Cohort:
    """The workflow's default cohort of a snapshot cancer type (non-silent calls, primary tumours)."""
    root = SNAPSHOT / "tcga" / cancer
    inputs = snapshot_inputs(root / "mutations.tsv.gz", root / "survival.tsv", root / "clinical.tsv")
    cohort, _ = build_cohort(
        cancer,
        inputs.calls,
        inputs.survival,
        inputs.clinical,
        classes=NON_SILENT_CLASSES,
        sample_preference=PREFERENCE,
        drop_zero_time=drop_zero_time,
    )
    return cohort


@cache
def aligned_cohort(cancer: str) -> AlignedMutations:
    return align_to_network(snapshot_cohort(cancer), pathway_commons())


def aligned_cohort_of(cohort: Cohort) -> AlignedMutations:
    return align_to_network(cohort, pathway_commons())
