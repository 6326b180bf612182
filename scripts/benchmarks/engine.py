"""Speed of the benchmark engine's pieces through the public API (docs/benchmarks.md, "Engine").

    .venv/bin/python scripts/benchmarks/engine.py all

Reads the prepared cohorts and network under results/ (run `snakemake --cores 2
results/cohorts/summary.tsv` first). Each measurement runs in a child process, so that its
peak RSS is its own and no memo carries over. Steps:

* netnorm: NetNorM(adjacency, k, max_k=370) over the paper's 33 k values on BRCA with
  set_params, as a grid search does (the adjacency validated once, or a plain matrix);
* nsqn: NSQN on BRCA for one alpha, fit on 80% of the patients and transform of the rest,
  then again from the memo (what each further fold costs);
* solver: one warm-started path over the paper's 5 liblinear costs on a LUAD inner
  training set (raw, NetNorM k=370, NSQN with every feature), against scikit-learn's
  liblinear on the explicit pair differences at the original code's tolerance (1e-4).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
C_GRID = (0.0005, 0.00075, 0.001, 0.0025, 0.005)


def load(cancer: str):
    from pancan.data.cohort import Cohort
    from pancan.networks import GeneNetwork
    from pancan.representations import align_to_network

    network = GeneNetwork.load(REPO / "results/networks/pathway_commons")
    cohort = Cohort.load(REPO / f"results/cohorts/{cancer}")
    return network, cohort, align_to_network(cohort, network)


def netnorm() -> dict:
    from pancan.representations import NetNorM, NetworkAdjacency

    network, _, aligned = load("BRCA")
    grid = list(range(50, 371, 10))
    out = {}
    for name, adjacency in (
        ("validated once", NetworkAdjacency(network.adjacency)),
        ("plain matrix", network.adjacency),
    ):
        started = time.perf_counter()
        transformer = NetNorM(adjacency, k=grid[0], max_k=370).fit(aligned.X)
        transformer.transform(aligned.X)
        first = time.perf_counter() - started
        for k in grid[1:]:
            transformer.set_params(k=k).fit(aligned.X).transform(aligned.X)
        out[name] = {"first_k_s": round(first, 3), "grid_33_k_s": round(time.perf_counter() - started, 3)}
    return out


def nsqn() -> dict:
    from pancan.representations import NSQN, NetworkAdjacency

    network, _, aligned = load("BRCA")
    adjacency = NetworkAdjacency(network.adjacency)
    n = aligned.X.shape[0]
    train, test = np.arange(int(0.8 * n)), np.arange(int(0.8 * n), n)
    started = time.perf_counter()
    model = NSQN(adjacency, 0.7, n_jobs=1).fit(aligned.X[train])
    model.transform(aligned.X[test])
    first = time.perf_counter() - started
    other_train, other_test = np.r_[test, train[:600]], train[600:]  # another split of the same patients
    started = time.perf_counter()
    NSQN(adjacency, 0.7, n_jobs=1).fit(aligned.X[other_train]).transform(aligned.X[other_test])
    return {
        "first_fit_transform_s": round(first, 2),
        "another_fold_from_memo_s": round(time.perf_counter() - started, 2),
    }


def solver() -> dict:
    import warnings

    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import LinearSVC
    from sksurv.util import Surv

    from pancan.models import SparseSurvivalSVM, comparable_pairs, harrell_cindex
    from pancan.representations import NSQN, NetNorM, NetworkAdjacency

    network, cohort, aligned = load("LUAD")
    y = Surv.from_arrays(cohort.patients["event"].astype(bool), cohort.patients["time_days"])
    train, _ = next(StratifiedKFold(5, shuffle=True, random_state=4).split(np.zeros(len(y)), y["event"]))
    inner, valid = next(StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(train)), y["event"][train]))
    rows, rows_valid = train[inner], train[valid]
    adjacency = NetworkAdjacency(network.adjacency)
    matrices = {
        "raw": aligned.X,
        "netnorm k=370": NetNorM(adjacency, k=370).fit_transform(aligned.X),
        "nsqn (all genes)": NSQN(adjacency, 0.7).fit(aligned.X[rows]).transform(aligned.X),
    }
    out = {}
    for name, X in matrices.items():
        X_train, X_valid = X[rows], X[rows_valid]
        model = SparseSurvivalSVM()
        earlier, later = comparable_pairs(y["event"][rows], y["time"][rows])
        alphas = [1 / (c * len(earlier)) for c in C_GRID]
        started, cpu_started = time.perf_counter(), time.process_time()
        coefs = model.path(X_train, y[rows], alphas)
        ours, ours_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        dense = X_train.toarray() if hasattr(X_train, "toarray") else np.asarray(X_train)
        D = dense[later] - dense[earlier]
        labels = np.where(np.arange(len(D)) % 2, -1.0, 1.0)
        D *= labels[:, None]
        started = time.perf_counter()
        liblinear = []
        for c in C_GRID:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = LinearSVC(
                    penalty="l1", loss="squared_hinge", dual=False, fit_intercept=False, C=c, tol=1e-4, max_iter=1000
                ).fit(D, labels)
            liblinear.append(-fit.coef_.ravel())
        theirs = time.perf_counter() - started
        liblinear = np.column_stack(liblinear)
        valid_dense = X_valid.toarray() if hasattr(X_valid, "toarray") else np.asarray(X_valid)
        c_ours = harrell_cindex(y[rows_valid], valid_dense @ coefs)
        c_theirs = harrell_cindex(y[rows_valid], valid_dense @ liblinear)
        out[name] = {
            "features": int(X.shape[1]),
            "pairs": len(earlier),
            "pancan_path_s": round(ours, 3),
            "pancan_path_cpu_s": round(ours_cpu, 3),
            "converged": [info.converged for info in model.path_infos_],
            "liblinear_5_fits_s": round(theirs, 2),
            "nonzero_pancan": (coefs != 0).sum(0).tolist(),
            "nonzero_liblinear": (np.abs(liblinear) > 1e-10).sum(0).tolist(),
            "max_abs_valid_C_difference": round(float(np.abs(c_ours - c_theirs).max()), 4),
        }
    return out


STEPS = {"netnorm": netnorm, "nsqn": nsqn, "solver": solver}


def child(step: str) -> None:
    result = STEPS[step]()
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=[*STEPS, "all"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.step)
        return
    for step in STEPS if args.step == "all" else [args.step]:
        output = subprocess.run(
            [sys.executable, __file__, step, "--child"],
            capture_output=True,
            text=True,
            check=True,
            env={"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PATH": ""},
        )
        print(step, output.stdout.strip())


if __name__ == "__main__":
    main()
