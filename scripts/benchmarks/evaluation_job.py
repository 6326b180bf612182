"""Time one evaluation job's work (one outer repeat of nested CV) without Snakemake's start-up.

    .venv/bin/python scripts/benchmarks/evaluation_job.py LUAD netnorm [--config config/paper_protocol.yaml]
    ../old/.venv/bin/python ../old/scripts/benchmarks/evaluation_job.py LUAD netnorm --results results  # before
    .venv/bin/python scripts/benchmarks/evaluation_job.py LUAD netnorm --out ../new_tables         # + fold table

Reads the prepared cohort, network and (NSQN) the smooth_profiles outputs of a run under
--results (default results/ of this checkout; main network, outer folds from the seed). To time
another version of the engine on the same inputs, run that checkout's own copy of this script
(its package's API may differ; --src puts a checkout's package first on the path); the
printed C-indices and prediction checksum show whether they also agree; --out writes the
fold table (scripts/benchmarks/compare_fold_tables.py compares two) with each fold's inner
margin, how far the chosen grid point's inner C is above the runner-up's (a near-tie may
change sides when the solver changes). One BLAS thread, as in the workflow's jobs; the
printed CPU seconds are the process's own.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cancer")
    parser.add_argument("representation")
    parser.add_argument("--config", action="append", default=[], help="config files over config/config.yaml")
    parser.add_argument("--results", type=Path, default=REPO / "results")
    parser.add_argument("--src", type=Path, default=REPO / "src", help="package source to time")
    parser.add_argument("--repeat", type=int, default=0)
    parser.add_argument("--out", type=Path, help="folder for the fold table (folds_<cancer>_<representation>.tsv)")
    args = parser.parse_args()
    sys.path.insert(0, str(args.src.resolve()))

    import numpy as np
    import yaml
    from sksurv.util import Surv
    from threadpoolctl import threadpool_limits

    from pancan.benchmark.metrics import uno_truncation
    from pancan.benchmark.nested_cv import nested_cross_validation, outer_splits
    from pancan.benchmark.protocol import BenchmarkSettings, benchmark_search
    from pancan.data.cohort import Cohort
    from pancan.networks import GeneNetwork
    from pancan.representations import NetworkAdjacency, align_to_network, register_precomputed
    from pancan.representations.registry import REGISTRY, RepresentationContext, smoothing_options
    from pancan.representations.row_cache import RowCache

    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    for path in args.config:
        for section, values in (yaml.safe_load(Path(path).read_text()) or {}).items():
            if isinstance(values, dict):
                config.setdefault(section, {}).update(values)
            else:
                config[section] = values
    benchmark = config["benchmark"]
    settings = BenchmarkSettings.from_benchmark(benchmark, config["seed"])
    entry = REGISTRY[args.representation]
    if entry.network not in (None, "main") or entry.clinical:
        parser.error(f"{args.representation}: only representations on the main network are timed here")
    cohort = Cohort.load(args.results / "cohorts" / args.cancer, args.cancer)
    network = GeneNetwork.load(args.results / "networks" / config["networks"]["main"])
    aligned = align_to_network(cohort, network)
    patients = cohort.patients
    y = Surv.from_arrays(patients["event"].astype(bool), patients["time_days"])
    memo = RowCache(f"{args.representation} rows")
    context = RepresentationContext(NetworkAdjacency(network.adjacency), aligned.n_network, n_jobs=1, memo=memo)
    if entry.smoothing:
        folder = args.results / "representations" / args.cancer / config["networks"]["main"]
        options = smoothing_options(settings.section)
        for alpha in sorted(settings.section["smoothing_alpha"]):
            path = folder / f"smoothed_{options['normalization']}_alpha{float(alpha):g}.npy"
            register_precomputed(memo, aligned.X, path, context.adjacency, alpha, **options)
    splits = outer_splits(y["event"], settings.outer_folds, args.repeat + 1, settings.seed, repeats=[args.repeat])
    tau = uno_truncation(patients["time_days"].to_numpy(), **benchmark["uno_tau"])
    search = benchmark_search(entry, settings, context, None)
    started = time.perf_counter()
    cpu_started = time.process_time()
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")
        results = nested_cross_validation(
            search,
            aligned.X,
            y,
            patients["patient_id"].to_numpy(),
            splits,
            inner_seeds={(s.repeat, s.fold): settings.inner_seed_for(s.repeat, s.fold) for s in splits},
            feature_names=aligned.genes,
            uno_tau=tau,
            name=args.representation,
        )
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    metrics, predictions, _ = results.tables()
    if args.out is not None:
        metrics.insert(0, "cancer", args.cancer)
        args.out.mkdir(parents=True, exist_ok=True)
        metrics.to_csv(args.out / f"folds_{args.cancer}_{args.representation}.tsv", sep="\t", index=False)
    # a hash of the risk scores' bytes: equal only if every prediction is equal to the last bit
    digest = hashlib.sha256(predictions["risk"].to_numpy(dtype=np.float64).tobytes()).hexdigest()[:16]
    print(
        f"{args.cancer} {args.representation} repeat {args.repeat}: {seconds:.2f} s ({cpu_seconds:.2f} CPU s); "
        f"Harrell's C per fold {metrics['harrell_c'].round(10).tolist()}; predictions sha256 {digest}"
    )


if __name__ == "__main__":
    main()
