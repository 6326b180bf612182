"""The planted-module simulation (NBS paper, Fig 2) over networks, gene universes, lambda, fractions and module sizes.

    .venv/bin/snakemake --cores 2 results/cohorts/summary.tsv      # the OV cohort and the networks
    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/benchmarks/stratification_simulation.py

For each network (pyNBS's cancer subnetwork, vendored in tests/data/pynbs; STRING;
Pathway Commons), module size and seed, the snapshot's OV profiles (all mutated genes)
are shuffled and 4 subtypes planted as mutations moved into modules of that network
(`pancan.stratification.simulation`); then, on the same pyNBS subsamples, NBS
(propagation, quantile normalisation, network NMF with each lambda) and raw clustering
(scikit-learn NMF of the binary profiles of all sampled genes, or of the sampled network
genes only) are scored by the adjusted Rand index of their consensus subtypes (k = 4)
against the planted ones. Every dataset is seeded by (config seed + seed index, module
size), every subsample by (that seed, subsample).

Writes the table (`--table`, one row per network x module size x seed x fraction x
method; resumable: cells already in it are skipped) and the figure (`--figure`).
Influence graphs are cached beside the table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
import yaml

from pancan.data.cohort import Cohort
from pancan.figures.stratification_simulation import planted_recovery_figure
from pancan.figures.style import save_figure
from pancan.networks import GeneNetwork
from pancan.representations import align_to_network
from pancan.stratification import Propagation, influence_knn_graph, simulate_recovery
from pancan.stratification.simulation import simulated_dataset

ROOT = Path(__file__).resolve().parents[2]
CANCER_SUBNETWORK = ROOT / "tests" / "data" / "pynbs" / "CancerSubnetwork.txt.gz"
NETWORKS = ["cancer_subnetwork", "string", "pathway_commons", "pathway_commons_without_hubs"]
HUB_SHARE = 0.01  # pathway_commons_without_hubs: Pathway Commons less its 1% genes of highest degree


def load_network(name: str) -> GeneNetwork:
    """A network by name: pyNBS's cancer subnetwork, a prepared one (results/networks), or Pathway Commons
    without its hubs (the diagnostic of which factor makes NBS lose there)."""
    if name == "cancer_subnetwork":
        edges = pd.read_csv(CANCER_SUBNETWORK, sep="\t", header=None, dtype=str)
        return GeneNetwork.from_edges(name, edges[0], edges[1], source=CANCER_SUBNETWORK)
    if name == "pathway_commons_without_hubs":
        network = load_network("pathway_commons")
        order = np.argsort(-network.degree(), kind="stable")
        keep = np.sort(order[round(HUB_SHARE * len(order)) :])
        rows, columns = sp.triu(network.adjacency[keep][:, keep], k=1).nonzero()
        return GeneNetwork.from_index_pairs(name, network.genes[keep], rows, columns)
    return GeneNetwork.load(ROOT / "results" / "networks" / name, name)


def influence_graph(network: GeneNetwork, cache: Path) -> sp.csr_matrix:
    path = cache / f"influence_{network.name}.npz"
    if not path.exists():
        start = time.process_time()
        sp.save_npz(path, influence_knn_graph(network.adjacency))
        print(f"{network.name}: influence graph in {time.process_time() - start:.0f} CPU-s", flush=True)
    return sp.load_npz(path).tocsr()


def module_diagnostics(name: str, network: GeneNetwork, aligned, sizes, seeds: list[int], alpha: float) -> pd.DataFrame:
    """Where the propagation puts a planted mutation: per module drawn by the simulation, the mean over its genes
    of the share of a mutation's propagated mass (D^-1 A, alpha) left on the module and sent to the 1% of the
    network's genes of highest degree; the module genes' median degree and their neighbours' largest degree."""
    propagation = Propagation(network.adjacency, alpha)
    degree = network.degree()
    hubs = np.argsort(-degree, kind="stable")[: max(1, len(degree) // 100)]
    rows = []
    for size in sizes:
        for seed in seeds:
            _, _, modules, _ = simulated_dataset(aligned.X, network.adjacency, 4, size, seed)
            for number, module in enumerate(modules):
                unit = sp.csr_matrix(
                    (np.ones(len(module)), (np.arange(len(module)), module)), shape=(len(module), len(degree))
                )
                mass = propagation(unit)
                neighbours = np.unique(network.adjacency[module].indices)
                rows.append(
                    {
                        "network": name,
                        "module_size": size,
                        "seed": seed,
                        "module": number,
                        "kept_in_module": float(mass[:, module].sum(axis=1).mean()),
                        "sent_to_top1pct_degree": float(mass[:, hubs].sum(axis=1).mean()),
                        "median_degree": float(np.median(degree[module])),
                        "largest_neighbour_degree": int(degree[neighbours].max()),
                    }
                )
    return pd.DataFrame(rows)


def main() -> None:
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--networks", nargs="+", default=NETWORKS, choices=NETWORKS)
    parser.add_argument("--cancer", default="OV")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.0, 0.05, 0.1, 0.15])
    parser.add_argument("--seeds", type=int, default=2, help="simulated datasets per network and module size")
    parser.add_argument("--lambdas", type=float, nargs="+", default=[200.0, 0.0])
    parser.add_argument("--subsamples", type=int, default=10)
    parser.add_argument("--max-iter", type=int, default=config["stratification"]["max_iter"])
    parser.add_argument("--seed", type=int, default=config["seed"])
    parser.add_argument("--table", type=Path, default=ROOT / "docs" / "data" / "stratification_simulation.tsv")
    parser.add_argument("--figure", type=Path, default=ROOT / "docs" / "figures" / "stratification_simulation.png")
    parser.add_argument("--cache", type=Path, default=ROOT / "results" / "benchmarks" / "stratification_simulation")
    parser.add_argument(
        "--diagnostics",
        type=Path,
        help="instead of the grid, write where propagation puts planted mutations, per module (module_diagnostics)",
    )
    args = parser.parse_args()
    if args.diagnostics:
        cohort = Cohort.load(ROOT / "results" / "cohorts" / args.cancer, args.cancer)
        tables = []
        for name in args.networks:
            network = load_network(name)
            seeds = [args.seed + index for index in range(args.seeds)]
            aligned = align_to_network(cohort, network)
            tables.append(
                module_diagnostics(name, network, aligned, args.sizes, seeds, config["stratification"]["alpha"])
            )
        diagnostics = pd.concat(tables, ignore_index=True)
        diagnostics.to_csv(args.diagnostics, sep="\t", index=False, float_format="%.4g")
        print(diagnostics.groupby(["network", "module_size"]).median(numeric_only=True).round(3).to_string())
        return
    args.cache.mkdir(parents=True, exist_ok=True)
    table = pd.read_csv(args.table, sep="\t") if args.table.exists() else pd.DataFrame()
    cohort = Cohort.load(ROOT / "results" / "cohorts" / args.cancer, args.cancer)
    for name in args.networks:
        if name == "cancer_subnetwork" and not CANCER_SUBNETWORK.exists():
            print(f"{CANCER_SUBNETWORK} absent: cancer subnetwork skipped", file=sys.stderr)
            continue
        network = load_network(name)
        knn = influence_graph(network, args.cache)
        aligned = align_to_network(cohort, network)
        for size in args.sizes:
            for index in range(args.seeds):
                seed = args.seed + index
                if (
                    len(table)
                    and ((table["network"] == name) & (table["module_size"] == size) & (table["seed"] == seed)).any()
                ):
                    continue
                start = time.process_time()
                cell = simulate_recovery(
                    aligned.X,
                    aligned.n_network,
                    network.adjacency,
                    knn,
                    fractions=args.fractions,
                    module_size=size,
                    seed=seed,
                    runs=args.subsamples,
                    alpha=config["stratification"]["alpha"],
                    regularizations=args.lambdas,
                    max_iter=args.max_iter,
                    patient_fraction=config["stratification"]["patient_fraction"],
                    gene_fraction=config["stratification"]["gene_fraction"],
                    min_mutations=config["stratification"]["min_mutations"],
                )
                cell.insert(0, "network", name)
                cell["subsamples"] = args.subsamples
                cell["cpu_seconds"] = time.process_time() - start
                table = pd.concat([table, cell], ignore_index=True)
                args.table.parent.mkdir(parents=True, exist_ok=True)
                table.to_csv(args.table, sep="\t", index=False, float_format="%.4g")
                print(cell.drop(columns=["network", "module_size", "seed"]).to_string(index=False), flush=True)
                print(f"{name}, modules of {size}, seed {seed}: {cell['cpu_seconds'].iloc[0]:.0f} CPU-s", flush=True)
    save_figure(planted_recovery_figure(table), args.figure)


if __name__ == "__main__":
    main()
