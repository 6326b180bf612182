"""How stable are a cancer type's NBS subtypes across seeds, next to their log-rank p (docs: NBS).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/benchmarks/stratification_stability.py \\
        --cancer OV --network pathway_commons --subsamples 20

Clusters the snapshot cohort (results/cohorts/<cancer>, prepared by the workflow) as the
workflow's stratification stage does with the configured defaults (pyNBS's scheme,
k = 2..8, PAC), once with the configured seed and once with each following seed, and
prints per k: PAC, the log-rank p of the subtypes for each seed, and the adjusted Rand
index between the seeds' subtypes. Networks: the prepared ones under results/networks,
or pyNBS's cancer subnetwork (tests/data/pynbs). Influence graphs are cached in
results/benchmarks/stratification_simulation/ (shared with stratification_simulation.py).
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

import pandas as pd
import scipy.sparse as sp
import yaml
from sklearn.metrics import adjusted_rand_score
from stratification_simulation import load_network  # this script's folder is on sys.path: the same networks

from pancan.data.cohort import Cohort
from pancan.representations import align_to_network
from pancan.stratification import Factorization, choose_k, cluster_runs_pynbs, influence_knn_graph, logrank_by_k
from pancan.stratification.model_selection import consensus_over_k

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "results" / "benchmarks" / "stratification_simulation"


def main() -> None:
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    settings = config["stratification"]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cancer", default="OV")
    parser.add_argument("--network", default=config["networks"]["main"])
    parser.add_argument("--subsamples", type=int, default=settings["subsamples"])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--regularization", type=float, default=settings["regularization"])
    args = parser.parse_args()
    cohort = Cohort.load(ROOT / "results" / "cohorts" / args.cancer, args.cancer)
    network = load_network(args.network)
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"influence_{network.name}.npz"
    if not cached.exists():
        sp.save_npz(cached, influence_knn_graph(network.adjacency))
    knn = sp.load_npz(cached).tocsr()
    aligned = align_to_network(cohort, network)
    ks = settings["ks"]
    factorization = Factorization("network_nmf", args.regularization, settings["max_iter"], settings["tol"])
    subtypes, tables = {}, {}
    for seed in range(config["seed"], config["seed"] + args.seeds):
        start = time.process_time()
        labels = cluster_runs_pynbs(
            aligned.X,
            range(args.subsamples),
            ks,
            factorization,
            seed=seed,
            n_network=aligned.n_network,
            adjacency=network.adjacency,
            knn=knn,
            alpha=settings["alpha"],
            patient_fraction=settings["patient_fraction"],
            gene_fraction=settings["gene_fraction"],
            min_mutations=settings["min_mutations"],
            ties=settings["quantile_ties"],
        )
        seconds = time.process_time() - start
        result = consensus_over_k(labels, ks, settings["pac_window"])
        patients = cohort.patients["patient_id"].to_numpy()[result["clustered"]]
        assigned = pd.DataFrame({f"k{k}": s for k, s in zip(ks, result["subtypes"])}, index=patients)
        subtypes[seed] = assigned
        table = result["table"].merge(
            logrank_by_k(assigned.rename_axis("patient_id").reset_index(), cohort.patients, ks)[["k", "p_value"]],
            on="k",
        )
        table["chosen"] = table["k"] == choose_k(table, settings["k"])
        tables[seed] = table
        print(json.dumps({"seed": seed, "cpu_seconds": round(seconds, 1), "clustered": len(patients)}), flush=True)
    rows = []
    for k in ks:
        row = {"network": args.network, "regularization": args.regularization, "k": k}
        for seed, table in tables.items():
            line = table.set_index("k").loc[k]
            row[f"pac_{seed}"] = round(float(line["pac"]), 3)
            row[f"logrank_p_{seed}"] = float(f"{line['p_value']:.3g}")
            row[f"chosen_{seed}"] = bool(line["chosen"])
        row["ari_between_seeds"] = [
            round(
                adjusted_rand_score(
                    *(subtypes[s].loc[subtypes[a].index.intersection(subtypes[b].index), f"k{k}"] for s in (a, b))
                ),
                3,
            )
            for a, b in itertools.combinations(subtypes, 2)
        ]
        rows.append(row)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
