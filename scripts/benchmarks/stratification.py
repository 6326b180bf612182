"""Speed and memory of network-based stratification (docs/benchmarks.md, "Stratification").

    .venv/bin/python scripts/benchmarks/stratification.py all --subsamples 100 --jobs 2

Reads the prepared cohorts and network under results/ (run `snakemake --cores 2
results/cohorts/summary.tsv` first). Each measurement runs in a child process so that
its peak RSS is its own; CPU seconds (process time) are reported beside wall seconds
because the reference machine is shared (wall time then overstates the cost). Steps:

* influence: the kNN influence graph of Pathway Commons (once per network);
* nbs: NBS for one cancer type (propagation + quantile normalisation once, then
  `--subsamples` subsamples x k = 2..8 split over `--jobs` processes, as Snakemake's
  cluster_subsamples jobs, then the consensus and PAC / cophenetic per k);
* types: seconds per subsample for every snapshot type (the subsamples are independent,
  so a run of S subsamples costs S times that, split over the cores), nbs and raw, by
  `--scheme` (pynbs, the default: each subsample propagated and factorised on every
  network gene; cohort: pancan's earlier scheme on the profiles computed once);
* nnls: the vectorised NNLS against scipy's nnls called per patient;
* iterations: consensus subtypes with max_iter 100 against pyNBS's 249 updates (ARI; scheme cohort).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[2]
KS = list(range(2, 9))
TYPES = ["BRCA", "GBM", "HNSC", "KIRC", "LUAD", "LUSC", "OV"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(cancer: str):
    from pancan.data.cohort import Cohort
    from pancan.networks import GeneNetwork

    network = GeneNetwork.load(ROOT / "results/networks/pathway_commons")
    return Cohort.load(ROOT / "results/cohorts" / cancer), network


def influence_step(_args) -> dict:
    from pancan.networks import GeneNetwork
    from pancan.stratification import influence_knn_graph

    network = GeneNetwork.load(ROOT / "results/networks/pathway_commons")
    start, cpu = time.perf_counter(), time.process_time()
    graph = influence_knn_graph(network.adjacency)
    sp.save_npz("/tmp/pancan_influence_knn.npz", graph)
    return {
        "step": "influence",
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
        "peak_mb": peak_mb(),
        "edges": graph.nnz // 2,
    }


def nbs_inputs(cancer: str, path: str) -> dict:
    """Propagation + quantile normalisation once per cohort; saved for the worker processes."""
    from pancan.representations import align_to_network, smooth
    from pancan.stratification.profiles import clustered_patients, nbs_profiles

    cohort, network = load(cancer)
    start = time.perf_counter()
    smoothed = smooth(align_to_network(cohort, network).X, network.adjacency, 0.7, normalization="degree")
    profiles = nbs_profiles(smoothed, clustered_patients(cohort, 10))
    np.save(path, profiles)
    return {"seconds": time.perf_counter() - start, "patients": profiles.shape[0], "genes": profiles.shape[1]}


def cluster_worker(arguments) -> dict:
    path, runs, max_iter = arguments
    from pancan.stratification import Factorization, cluster_runs

    X = np.load(path)
    knn = sp.load_npz("/tmp/pancan_influence_knn.npz").tocsr()
    start, cpu = time.perf_counter(), time.process_time()
    labels = cluster_runs(X, runs, KS, Factorization("network_nmf", 200.0, max_iter, 1e-5), seed=20171019, knn=knn)
    np.save(f"{path}.labels_{runs[0]}_{max_iter}.npy", labels)
    return {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu, "peak_mb": peak_mb()}


def nbs_step(args) -> dict:
    from pancan.stratification.model_selection import consensus_over_k

    path = f"/tmp/pancan_nbs_{args.cancer}.npy"
    prepared = nbs_inputs(args.cancer, path)
    chunks = [list(part) for part in np.array_split(np.arange(args.subsamples), args.jobs)]
    start = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        workers = list(pool.map(cluster_worker, [(path, chunk, args.max_iter) for chunk in chunks]))
    clustering = time.perf_counter() - start
    labels = np.concatenate([np.load(f"{path}.labels_{c[0]}_{args.max_iter}.npy") for c in chunks], axis=1)
    start = time.perf_counter()
    result = consensus_over_k(labels, KS)
    consensus = time.perf_counter() - start
    return {
        "step": f"nbs {args.cancer}",
        **prepared,
        "subsamples": args.subsamples,
        "jobs": args.jobs,
        "clustering_wall_seconds": clustering,
        "worker_seconds": [w["seconds"] for w in workers],
        "worker_cpu_seconds": [w["cpu_seconds"] for w in workers],
        "worker_peak_mb": [w["peak_mb"] for w in workers],
        "consensus_seconds": consensus,
        "peak_mb": peak_mb(),
        "pac": result["table"]["pac"].round(3).tolist(),
    }


def pynbs_worker(cancer: str, runs, max_iter: int, representation: str) -> dict:
    """pyNBS's scheme: subsamples drawn from the cohort's mutations, propagated one by one (nbs) or not (raw)."""
    from pancan.representations import align_to_network
    from pancan.stratification import Factorization, cluster_runs_pynbs

    cohort, network = load(cancer)
    aligned = align_to_network(cohort, network)
    if representation == "nbs":
        knn = sp.load_npz("/tmp/pancan_influence_knn.npz").tocsr()
        factorization, extra = Factorization("network_nmf", 200.0, max_iter, 0.0), {"adjacency": network.adjacency}
    else:
        knn, factorization, extra = None, Factorization("nmf", 0.0, max_iter, 1e-4), {}
    start, cpu = time.perf_counter(), time.process_time()
    labels = cluster_runs_pynbs(
        aligned.X if representation == "nbs" else cohort.mutations,
        runs,
        KS,
        factorization,
        seed=20171019,
        n_network=aligned.n_network,
        knn=knn,
        **extra,
    )
    return {
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
        "peak_mb": peak_mb(),
        "patients_per_subsample": float((labels[0] >= 0).sum(axis=1).mean()),
    }


def types_step(args) -> dict:
    rows = {}
    for cancer in TYPES:
        for representation in ("nbs", "raw"):
            if args.scheme == "pynbs":
                worker = pynbs_worker(cancer, list(range(args.subsamples)), args.max_iter, representation)
                prepared = {"patients": worker["patients_per_subsample"], "seconds": 0.0}
            elif representation == "nbs":
                path = f"/tmp/pancan_nbs_{cancer}.npy"
                prepared = nbs_inputs(cancer, path)
                worker = cluster_worker((path, list(range(args.subsamples)), args.max_iter))
            else:
                continue
            rows[f"{cancer} {representation}"] = {
                "patients": prepared["patients"],
                "prepare_seconds": prepared["seconds"],
                "seconds_per_subsample": worker["seconds"] / args.subsamples,
                "cpu_seconds_per_subsample": worker["cpu_seconds"] / args.subsamples,
                "peak_mb": worker["peak_mb"],
            }
            print(json.dumps({cancer: rows[f"{cancer} {representation}"]}), file=sys.stderr, flush=True)
    return {"step": "types", "scheme": args.scheme, "subsamples_measured": args.subsamples, "rows": rows}


def nnls_step(_args) -> dict:
    from scipy.optimize import nnls

    from pancan.stratification import nnls_gram

    rng = np.random.default_rng(0)
    W, X = rng.random((16000, 8)), rng.random((16000, 370))
    G, B = W.T @ W, W.T @ X
    start = time.perf_counter()
    for _ in range(20):
        fast = nnls_gram(G, B)
    vectorised = (time.perf_counter() - start) / 20
    R = np.linalg.cholesky(G).T
    C = np.linalg.solve(R.T, B)
    start = time.perf_counter()
    for _ in range(5):
        loop = np.array([nnls(R, C[:, j])[0] for j in range(370)]).T
    per_patient = (time.perf_counter() - start) / 5
    return {
        "step": "nnls",
        "vectorised_ms": 1000 * vectorised,
        "scipy_loop_ms": 1000 * per_patient,
        "max_abs_difference": float(np.abs(fast - loop).max()),
    }


def iterations_step(args) -> dict:
    from sklearn.metrics import adjusted_rand_score

    from pancan.stratification.model_selection import consensus_over_k

    path = f"/tmp/pancan_nbs_{args.cancer}.npy"
    nbs_inputs(args.cancer, path)
    runs = list(range(args.subsamples))
    subtypes, seconds = {}, {}
    for max_iter in (100, 249):
        worker = cluster_worker((path, runs, max_iter))
        labels = np.load(f"{path}.labels_0_{max_iter}.npy")
        result = consensus_over_k(labels, KS)
        subtypes[max_iter], seconds[max_iter] = result["subtypes"], worker["cpu_seconds"]
    ari = [adjusted_rand_score(a, b) for a, b in zip(subtypes[100], subtypes[249])]
    return {
        "step": "iterations",
        "cancer": args.cancer,
        "subsamples": args.subsamples,
        "cpu_seconds": seconds,
        "ari_100_vs_249_per_k": dict(zip(KS, np.round(ari, 3).tolist())),
    }


STEPS = {
    "influence": influence_step,
    "nbs": nbs_step,
    "types": types_step,
    "nnls": nnls_step,
    "iterations": iterations_step,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=[*STEPS, "all"])
    parser.add_argument("--cancer", default="OV")
    parser.add_argument("--subsamples", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--max-iter", type=int, default=249)
    parser.add_argument("--scheme", choices=["pynbs", "cohort"], default="pynbs", help="sampling scheme of 'types'")
    parser.add_argument("--type-subsamples", type=int, default=4, help="subsamples timed per type in 'types'")
    args = parser.parse_args()
    if args.step != "all":
        if args.step == "types":
            args.subsamples = args.type_subsamples
        print(json.dumps(STEPS[args.step](args)), flush=True)
        return
    for step in ("nnls", "influence", "nbs", "types", "iterations"):
        command = [
            sys.executable,
            __file__,
            step,
            "--cancer",
            args.cancer,
            "--subsamples",
            str(args.subsamples if step == "nbs" else 10),
            "--jobs",
            str(args.jobs),
            "--max-iter",
            str(args.max_iter),
            "--type-subsamples",
            str(args.type_subsamples),
            "--scheme",
            args.scheme,
        ]
        started = time.perf_counter()
        # one BLAS thread per process, as a Snakemake job with threads: 1 (the influence graph uses 2)
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "2" if step == "influence" else "1"}
        result = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
        output = result.stdout.strip().splitlines()[-1]
        load = Path("/proc/loadavg").read_text().split()[:3]
        print(
            json.dumps({**json.loads(output), "wall_seconds": time.perf_counter() - started, "loadavg": load}),
            flush=True,
        )


if __name__ == "__main__":
    main()
