"""pancan's NBS against pyNBS on pyNBS's OV example: each departure from pyNBS, its effect and its cost.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/benchmarks/stratification_reference.py --subsamples 50 --seeds 1 2

Reads tests/data/pynbs (pyNBS's inputs and its consensus subtypes, k = 4, from two runs
of 50 subsamples). For the default (pyNBS's scheme) and for each option that departs
from it, alone and all together (pancan's earlier defaults), it clusters the example
with `--subsamples` subsamples per seed and reports the adjusted Rand index of the
consensus subtypes against each of pyNBS's two runs, between pancan's own seeds, and
the CPU seconds per subsample (one BLAS thread: set OPENBLAS_NUM_THREADS=1). Prints one
JSON object per variant, then a markdown table. With --timing, only the default's CPU
seconds per subsample, step by step.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.metrics import adjusted_rand_score

from pancan.networks.gene_network import GeneNetwork
from pancan.stratification import (
    Factorization,
    Propagation,
    cluster_runs,
    cluster_runs_pynbs,
    influence_knn_graph,
    quantile_normalise,
)
from pancan.stratification.consensus import initial_seeds
from pancan.stratification.model_selection import consensus_over_k
from pancan.stratification.network_nmf import network_nmf
from pancan.stratification.sampling import draw_pynbs_subsample, mutated_columns

PYNBS = Path(__file__).resolve().parents[2] / "tests" / "data" / "pynbs"
K = 4


@dataclass
class Variant:
    name: str
    scheme: str = "pynbs"
    max_iter: int = 249
    tol: float = 0.0
    digits: int = 12
    ties: str = "median"


VARIANTS = [
    Variant("default (pyNBS's scheme)"),
    Variant("100 updates at most, tol 1e-5", max_iter=100, tol=1e-5),
    Variant("influences rounded to 5 digits", digits=5),
    Variant("quantile ties: mean", ties="mean"),
    Variant("scheme cohort", scheme="cohort"),
    Variant("pancan's earlier defaults (all four)", scheme="cohort", max_iter=100, tol=1e-5, digits=5, ties="mean"),
]


def load_example():
    """pyNBS's network, patients and binary mutations (network genes first), as tests/test_pynbs_reference.py."""
    edges = pd.read_csv(PYNBS / "CancerSubnetwork.txt.gz", sep="\t", header=None, dtype=str)
    network = GeneNetwork.from_edges("cancer_subnetwork", edges[0], edges[1])
    calls = pd.read_csv(PYNBS / "OV_sm_data.txt.gz", sep="\t", header=None, names=["patient", "gene"], dtype=str)
    patients = np.array(sorted(calls["patient"].unique()))
    genes = np.concatenate([network.genes, sorted(set(calls["gene"]) - set(network.genes))])
    rows = pd.Index(patients).get_indexer(calls["patient"])
    columns = pd.Index(genes).get_indexer(calls["gene"])
    mutations = sp.csr_matrix((np.ones(len(calls), np.float32), (rows, columns)), shape=(len(patients), len(genes)))
    mutations.data[:] = 1.0
    return network, patients, mutations


def subtypes(
    variant: Variant, network, patients, mutations, knn, seed: int, subsamples: int
) -> tuple[pd.Series, float]:
    """Consensus subtypes (k = 4) of one variant and seed, and the CPU seconds it took (the kNN graph excluded)."""
    factorization = Factorization("network_nmf", 200.0, variant.max_iter, variant.tol)
    n_network = len(network.genes)
    start = time.process_time()
    if variant.scheme == "pynbs":
        labels = cluster_runs_pynbs(
            mutations,
            range(subsamples),
            [K],
            factorization,
            seed=seed,
            n_network=n_network,
            adjacency=network.adjacency,
            knn=knn,
            ties=variant.ties,
        )
        kept = np.arange(len(patients))
    else:  # once per cohort: the patients with at least 10 mutated genes, propagated and normalised together
        kept = np.flatnonzero(np.asarray(mutations.sum(axis=1)).ravel() >= 10)
        profiles = quantile_normalise(
            Propagation(network.adjacency, 0.7)(mutations[kept][:, :n_network]), variant.ties
        ).astype(np.float32)
        labels = cluster_runs(profiles, range(subsamples), [K], factorization, seed=seed, knn=knn)
    result = consensus_over_k(labels, [K])
    seconds = time.process_time() - start
    return pd.Series(result["subtypes"][0], index=patients[kept][result["clustered"]]), seconds


def timing(subsamples: int, seed: int) -> dict:
    """CPU seconds per subsample of the default scheme on the example (k = 4), step by step.

    The side-by-side comparison with pyNBS's own per-subsample time (`NBS_single`, run
    outside this repository) is in the docs.
    """
    network, _, mutations = load_example()
    n_network = len(network.genes)
    start = time.process_time()
    knn = influence_knn_graph(network.adjacency)
    propagation = Propagation(network.adjacency, 0.7)
    setup = time.process_time() - start
    steps = dict.fromkeys(["sample", "propagate", "normalise", "factorise"], 0.0)
    genes = mutated_columns(mutations)
    for run in range(subsamples):
        start = time.process_time()
        sample = draw_pynbs_subsample(mutations, run, seed, genes=genes)
        mask = np.zeros(n_network, dtype=np.float32)
        mask[sample.features[sample.features < n_network]] = 1.0
        binary = sp.csr_matrix(mutations[sample.patients][:, :n_network].multiply(mask[None, :]))
        steps["sample"] += time.process_time() - start
        start = time.process_time()
        propagated = propagation(binary)
        steps["propagate"] += time.process_time() - start
        start = time.process_time()
        profiles = quantile_normalise(propagated, "median").astype(np.float32)
        steps["normalise"] += time.process_time() - start
        start = time.process_time()
        network_nmf(profiles, [K], knn, seeds=initial_seeds(seed, run, [K]))
        steps["factorise"] += time.process_time() - start
    per_subsample = {step: round(seconds / subsamples, 4) for step, seconds in steps.items()}
    return {
        "subsamples": subsamples,
        "setup_cpu_seconds (kNN graph, kernel)": round(setup, 2),
        "cpu_seconds_per_subsample": per_subsample,
        "total_per_subsample": round(sum(per_subsample.values()), 4),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subsamples", type=int, default=50)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--timing", action="store_true", help="only time the default scheme step by step")
    args = parser.parse_args()
    if args.timing:
        print(json.dumps(timing(args.subsamples, args.seeds[0])))
        return
    network, patients, mutations = load_example()
    pynbs = pd.read_csv(PYNBS / "pynbs_ov_consensus_k4.tsv", sep="\t", index_col="patient_id")
    pynbs_runs = ["seed1_50", "seed2_50"]
    pynbs_itself = adjusted_rand_score(pynbs[pynbs_runs[0]], pynbs[pynbs_runs[1]])
    graphs = {digits: influence_knn_graph(network.adjacency, digits=digits) for digits in (12, 5)}
    rows = []
    for variant in VARIANTS:
        found, seconds = {}, []
        for seed in args.seeds:
            found[seed], cpu = subtypes(
                variant, network, patients, mutations, graphs[variant.digits], seed, args.subsamples
            )
            seconds.append(cpu / args.subsamples)
        against = [
            adjusted_rand_score(
                pynbs.loc[ours.index.intersection(pynbs.index), run], ours[ours.index.intersection(pynbs.index)]
            )
            for ours in found.values()
            for run in pynbs_runs
        ]
        itself = [adjusted_rand_score(found[a], found[b]) for a, b in itertools.combinations(args.seeds, 2)]
        row = {
            "variant": variant.name,
            "clustered": sorted({len(s) for s in found.values()}),
            "ari_vs_pynbs": [round(a, 3) for a in against],
            "ari_vs_pynbs_mean": round(float(np.mean(against)), 3),
            "ari_pancan_seeds": [round(a, 3) for a in itself],
            "cpu_seconds_per_subsample": round(float(np.mean(seconds)), 3),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(f"\npyNBS against itself (seed 1 vs seed 2, 50 subsamples each): ARI {pynbs_itself:.3f}\n")
    print(
        "| variant | patients clustered | ARI vs pyNBS (mean; range) | ARI between pancan seeds | CPU s / subsample |"
    )
    print("|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['variant']} | {', '.join(map(str, row['clustered']))} | {row['ari_vs_pynbs_mean']:.3f}; "
            f"{min(row['ari_vs_pynbs']):.3f}-{max(row['ari_vs_pynbs']):.3f} | "
            f"{', '.join(f'{a:.3f}' for a in row['ari_pancan_seeds'])} | {row['cpu_seconds_per_subsample']:.2f} |"
        )


if __name__ == "__main__":
    main()
