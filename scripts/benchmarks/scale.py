"""Cost model of the workflow's jobs, fitted on measured runs and projected onto TCGA PanCanAtlas.

    .venv/bin/python scripts/benchmarks/scale.py --run RUN [--run RUN ...] [--held-out RUN ...]
        [--out docs/data/scale] [--figure docs/figures/scale.png] [--subsamples 1000]

RUN is a workflow's working directory after a run: Snakemake's per-job measurements
(benchmarks/benchmark/evaluate_*.tsv, benchmarks/stratification/cluster_subsamples_*.tsv: wall
seconds, peak RSS), the cohorts (results/cohorts/<type>/patients.tsv: patients, events, comparable
pairs) and results/benchmark/folds.tsv (outer repeats per job, features after the variance filter)
of the same run, with its config/config.yaml (subsamples per stratification job; read only when the run has
cluster_subsamples jobs).

For each representation it fits  seconds per outer repeat = s0 + c * pairs^a  (s0: the job's fixed
cost, start-up and reading its inputs; least squares on the log seconds; the features are capped
by the variance filter, so they do not vary between jobs) and
peak MB = m0 + m1 * patients (linear), and reports how well each predicts the job it was not
fitted on (leave-one-job-out relative error), and every job of the --held-out runs (e.g. fitted
on the 7 snapshot types, checked on 33 PanCanAtlas-shaped ones). It is also checked on the pooled
jobs (one model over every type's pairs), and NBS's CPU seconds per subsample are fitted against
patients.

The projection takes each PanCanAtlas type with at least --min-events OS deaths (the workflow leaves
the others out), its patients with MC3 calls and OS, and its comparable OS pairs (resources/pancanatlas/cdr_counts.tsv, scaled to the patients with calls), and gives per
representation the job-seconds, the longest job (the critical path of a fanned-out run), the wall
time on the measuring machine's cores, and the cluster cores that finish in one hour.
"""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.optimize import curve_fit

ROOT = Path(__file__).resolve().parents[2]
COUNTS = ROOT / "resources" / "pancanatlas" / "cdr_counts.tsv"


def comparable_pairs(time: np.ndarray, event: np.ndarray) -> int:
    """Harrell's comparable pairs: an event i and a patient j followed longer (t_j > t_i)."""
    order = np.sort(time)
    longer = len(time) - np.searchsorted(order, time[event.astype(bool)], side="right")
    return int(longer.sum())


def cohort_sizes(run: Path) -> pd.DataFrame:
    rows = []
    for patients in sorted((run / "results" / "cohorts").glob("*/patients.tsv")):
        table = pd.read_csv(patients, sep="\t")
        rows.append(
            {
                "cancer": patients.parent.name,
                "patients": len(table),
                "events": int(table["event"].sum()),
                "pairs": comparable_pairs(table["time_days"].to_numpy(), table["event"].to_numpy()),
            }
        )
    return pd.DataFrame(rows)


def benchmark_file(path: Path) -> dict:
    measured = pd.read_csv(path, sep="\t").iloc[0]
    return {
        "seconds": float(measured["s"]),
        "cpu_seconds": float(measured["cpu_time"]),
        "max_rss_mb": float(measured["max_rss"]),
    }


def evaluation_jobs(run: Path) -> pd.DataFrame:
    """One row per measured evaluation job: its type, representation, repeats, size and cost."""
    sizes = cohort_sizes(run).set_index("cancer")
    folds = pd.read_csv(run / "results" / "benchmark" / "folds.tsv", sep="\t")
    per_job = folds.groupby(["cancer", "representation"]).agg(
        repeats=("repeat", "nunique"), features=("n_features", "median")
    )
    rows = []
    for path in sorted((run / "benchmarks" / "benchmark").glob("evaluate_representation_*.tsv")):
        match = re.fullmatch(r"evaluate_representation_([A-Z0-9]+)_(.+?)(?:_(\d+))?\.tsv", path.name)
        cancer, representation, repeat = match.groups()
        job = per_job.loc[(cancer, representation)]
        rows.append(
            {
                "cancer": cancer,
                "representation": representation,
                "repeats": 1 if repeat is not None else int(job["repeats"]),
                "features": float(job["features"]),
                **sizes.loc[cancer].to_dict(),
                **benchmark_file(path),
            }
        )
    return pd.DataFrame(rows)


def pooled_jobs(run: Path, types: list[str]) -> pd.DataFrame:
    """The pooled jobs with the summed size of the types they pool (those the run benchmarked)."""
    sizes = cohort_sizes(run).set_index("cancer").loc[types].sum()
    folds = pd.read_csv(run / "results" / "benchmark" / "folds.tsv", sep="\t")
    repeats = int(folds["repeat"].nunique())
    rows = []
    for path in sorted((run / "benchmarks" / "benchmark").glob("evaluate_pooled_*.tsv")):
        representation = path.stem.removeprefix("evaluate_pooled_")
        rows.append({"representation": representation, "repeats": repeats, **sizes.to_dict()})
        rows[-1].update(benchmark_file(path))
    return pd.DataFrame(rows)


def subsample_jobs(run: Path) -> pd.DataFrame:
    """CPU seconds per NBS/raw subsample of each cluster_subsamples job (one thread; CPU rather than wall seconds,
    which a shared machine inflates), with its cohort's patients."""
    paths = sorted((run / "benchmarks" / "stratification").glob("cluster_subsamples_*.tsv"))
    if not paths:  # a run without the stratification stage (e.g. the paper's protocol)
        return pd.DataFrame()
    config = yaml.safe_load((run / "config" / "config.yaml").read_text()) or {}
    per_job = (config.get("stratification") or {}).get("subsamples_per_job", 10)
    sizes = cohort_sizes(run).set_index("cancer")
    rows = []
    for path in paths:
        cancer, representation, _batch = re.fullmatch(
            r"cluster_subsamples_([A-Z0-9]+)_(.+)_(\d+)\.tsv", path.name
        ).groups()
        cost = benchmark_file(path)
        rows.append(
            {
                "cancer": cancer,
                "representation": representation,
                "patients": sizes.loc[cancer, "patients"],
                "seconds_per_subsample": cost["cpu_seconds"] / per_job,
                "max_rss_mb": cost["max_rss_mb"],
            }
        )
    return pd.DataFrame(rows)


def fit_cost(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """y = s0 + c * x^a (s0 >= 0, 0.2 <= a <= 3), least squares on log y: (s0, c, a)."""

    def log_cost(x, s0, log_c, a):
        return np.log(s0 + np.exp(log_c) * x**a)

    start = (0.5 * y.min(), np.log(np.median(y) / np.median(x)), 1.0)
    (s0, log_c, a), _ = curve_fit(
        log_cost, x, np.log(y), p0=start, bounds=([0, -60, 0.2], [y.min(), 20, 3.0]), maxfev=20000
    )
    return float(s0), float(np.exp(log_c)), float(a)


def fit_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    slope, intercept = np.polyfit(x, y, 1)
    return float(intercept), float(slope)


def leave_one_out(x: np.ndarray, y: np.ndarray, fit, predict) -> np.ndarray:
    """Relative error of each point predicted by the model fitted on the others."""
    errors = []
    for i in range(len(x)):
        keep = np.arange(len(x)) != i
        errors.append(predict(fit(x[keep], y[keep]), x[i]) / y[i] - 1)
    return np.array(errors)


def cost(model, x):
    return model[0] + model[1] * np.asarray(x, dtype=float) ** model[2]


def seconds_model(row) -> tuple[float, float, float]:
    return row["seconds_fixed"], row["seconds_c"], row["seconds_exponent"]


def line(model, x):
    return model[0] + model[1] * np.asarray(x, dtype=float)


def cost_models(jobs: pd.DataFrame) -> pd.DataFrame:
    """Per representation: seconds per repeat ~ pairs (power law), peak MB ~ patients (line), and their LOO errors."""
    rows = []
    for representation, group in jobs.groupby("representation"):
        if len(group) < 4:
            continue
        pairs, patients = group["pairs"].to_numpy(float), group["patients"].to_numpy(float)
        per_repeat = (group["seconds"] / group["repeats"]).to_numpy()
        rss = group["max_rss_mb"].to_numpy()
        seconds_model = fit_cost(pairs, per_repeat)
        memory_model = fit_line(patients, rss)
        seconds_error = leave_one_out(pairs, per_repeat, fit_cost, cost)
        memory_error = leave_one_out(patients, rss, fit_line, line)
        rows.append(
            {
                "representation": representation,
                "jobs": len(group),
                "seconds_fixed": seconds_model[0],
                "seconds_c": seconds_model[1],
                "seconds_exponent": seconds_model[2],
                "seconds_loo_median_error": float(np.median(np.abs(seconds_error))),
                "seconds_loo_max_error": float(np.max(np.abs(seconds_error))),
                "memory_mb_intercept": memory_model[0],
                "memory_mb_per_patient": memory_model[1],
                "memory_loo_max_error": float(np.max(np.abs(memory_error))),
            }
        )
    return pd.DataFrame(rows).set_index("representation")


def pancanatlas_sizes(min_events: int) -> pd.DataFrame:
    """Patients with MC3 calls and OS per type, and their comparable OS pairs (CDR's pairs scaled by the share²),
    of the types with at least `min_events` OS deaths (survival.min_events: the workflow leaves the others out)."""
    counts = pd.read_csv(COUNTS, sep="\t", comment="#")
    counts = counts[counts["os_deaths"] >= min_events].reset_index(drop=True)
    patients = np.minimum(counts["mc3_samples"], counts["os_patients"])
    share = patients / counts["os_patients"]
    return pd.DataFrame(
        {"cancer": counts["cancer_type"], "patients": patients, "pairs": counts["os_comparable_pairs"] * share**2}
    )


def project(models: pd.DataFrame, sizes: pd.DataFrame, repeats: int, cores: int) -> pd.DataFrame:
    """Job-seconds, longest job and wall time of one job per (type, representation) of `repeats` outer repeats."""
    rows = []
    for representation, model in models.iterrows():
        seconds = repeats * cost(seconds_model(model), sizes["pairs"])
        memory = line((model["memory_mb_intercept"], model["memory_mb_per_patient"]), sizes["patients"])
        rows.append(
            {
                "representation": representation,
                "job_seconds": float(seconds.sum()),
                "longest_job_seconds": float(seconds.max()),
                "longest_job_type": sizes["cancer"].iloc[int(np.argmax(seconds))],
                "largest_job_mb": float(memory.max()),
            }
        )
    table = pd.DataFrame(rows).set_index("representation")
    total = table["job_seconds"].sum()
    critical = table["longest_job_seconds"].max()
    table.loc["all"] = {
        "job_seconds": total,
        "longest_job_seconds": critical,
        "longest_job_type": table["longest_job_type"].iloc[int(np.argmax(table["longest_job_seconds"]))],
        "largest_job_mb": table["largest_job_mb"].max(),
    }
    table["wall_minutes_on_cores"] = np.nan
    table.loc["all", "wall_minutes_on_cores"] = max(total / cores, critical) / 60
    table["cores_for_one_hour"] = np.nan
    table.loc["all", "cores_for_one_hour"] = math.ceil(total / 3600) if critical < 3600 else np.nan
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, action="append", required=True, help="a measured run's working directory")
    parser.add_argument("--held-out", type=Path, action="append", default=[], help="a run the models are checked on")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "data" / "scale")
    parser.add_argument("--figure", type=Path, help="observed vs fitted seconds (PNG)")
    parser.add_argument("--repeats", type=int, default=4, help="outer repeats of the projected benchmark")
    parser.add_argument("--cores", type=int, default=2, help="cores of the projected laptop run")
    parser.add_argument("--subsamples", type=int, default=1000, help="NBS subsamples per type projected")
    parser.add_argument("--min-events", type=int, default=20, help="survival.min_events: types projected")
    args = parser.parse_args()

    jobs = pd.concat([evaluation_jobs(run) for run in args.run], ignore_index=True)
    models = cost_models(jobs)
    args.out.mkdir(parents=True, exist_ok=True)
    jobs.to_csv(args.out / "jobs.tsv", sep="\t", index=False)
    models.to_csv(args.out / "cost_models.tsv", sep="\t", float_format="%.4g")
    pd.set_option("display.width", 200)
    print("cost models (seconds per outer repeat = s0 + c * pairs^a; peak MB = m0 + m1 * patients):")
    print(models.round(4).to_string())

    if args.held_out:
        held_out = pd.concat([evaluation_jobs(run) for run in args.held_out], ignore_index=True)
        held_out = held_out[held_out["representation"].isin(models.index)].copy()
        fitted = models.loc[held_out["representation"]]
        held_out["predicted_seconds"] = held_out["repeats"].to_numpy() * cost(
            (fitted["seconds_fixed"].to_numpy(), fitted["seconds_c"].to_numpy(), fitted["seconds_exponent"].to_numpy()),
            held_out["pairs"].to_numpy(),
        )
        held_out["predicted_mb"] = fitted["memory_mb_intercept"].to_numpy() + fitted[
            "memory_mb_per_patient"
        ].to_numpy() * held_out["patients"].to_numpy(float)
        held_out.to_csv(args.out / "held_out_jobs.tsv", sep="\t", index=False, float_format="%.4g")
        check = held_out.groupby("representation").apply(
            lambda group: pd.Series(
                {
                    "jobs": len(group),
                    "seconds": group["seconds"].sum(),
                    "predicted_seconds": group["predicted_seconds"].sum(),
                    "median_job_error": float(np.median(np.abs(group["predicted_seconds"] / group["seconds"] - 1))),
                    "largest_job_mb": group["max_rss_mb"].max(),
                    "predicted_largest_job_mb": group["predicted_mb"].max(),
                }
            ),
            include_groups=False,
        )
        check.loc["all"] = check.sum()
        check.loc["all", "median_job_error"] = float(
            np.median(np.abs(held_out["predicted_seconds"] / held_out["seconds"] - 1))
        )
        check.loc["all", ["largest_job_mb", "predicted_largest_job_mb"]] = (
            check[["largest_job_mb", "predicted_largest_job_mb"]].iloc[:-1].max()
        )
        check.to_csv(args.out / "held_out_check.tsv", sep="\t", float_format="%.4g")
        print(f"\nheld-out runs ({held_out['cancer'].nunique()} types), measured against predicted:")
        print(check.round(3).to_string())

    benchmarked = sorted(jobs["cancer"].unique())
    pooled = pd.concat([pooled_jobs(run, benchmarked) for run in args.run], ignore_index=True)
    if len(pooled):
        pooled = pooled[pooled["representation"].isin(models.index)].copy()
        fitted = models.loc[pooled["representation"]]
        pooled["predicted_seconds"] = pooled["repeats"].to_numpy() * cost(
            (fitted["seconds_fixed"].to_numpy(), fitted["seconds_c"].to_numpy(), fitted["seconds_exponent"].to_numpy()),
            pooled["pairs"].to_numpy(),
        )
        pooled["relative_error"] = pooled["predicted_seconds"] / pooled["seconds"] - 1
        pooled.to_csv(args.out / "pooled_check.tsv", sep="\t", index=False, float_format="%.4g")
        print("\npooled jobs (held out: the per-type model at the pooled pairs):")
        print(
            pooled[["representation", "patients", "pairs", "seconds", "predicted_seconds", "relative_error"]].round(3)
        )

    sizes = pancanatlas_sizes(args.min_events)
    projection = project(models, sizes, args.repeats, args.cores)
    projection.to_csv(args.out / "projection_pancanatlas.tsv", sep="\t", float_format="%.4g")
    print(
        f"\nprojection, {len(sizes)} PanCanAtlas types ({int(sizes['patients'].sum()):,} patients), {args.repeats} repeats:"
    )
    print(projection.round(1).to_string())
    subsamples = pd.concat([subsample_jobs(run) for run in args.run], ignore_index=True)
    if len(subsamples):
        rows = []
        for representation, group in subsamples.groupby("representation"):
            model = fit_line(group["patients"].to_numpy(float), group["seconds_per_subsample"].to_numpy())
            seconds = args.subsamples * line(model, sizes["patients"])
            rows.append(
                {
                    "representation": representation,
                    "seconds_per_subsample_intercept": model[0],
                    "seconds_per_subsample_per_patient": model[1],
                    "largest_type_seconds_per_subsample": float(line(model, sizes["patients"].max())),
                    "core_hours": float(seconds.sum()) / 3600,
                    # batches of subsamples_per_job last minutes, so the whole fans out: total / one hour
                    "cores_for_one_hour": math.ceil(float(seconds.sum()) / 3600),
                }
            )
        nbs = pd.DataFrame(rows).set_index("representation")
        nbs.to_csv(args.out / "projection_nbs.tsv", sep="\t", float_format="%.4g")
        print(f"\nstratification, {args.subsamples} subsamples per type on {len(sizes)} types:")
        print(nbs.round(4).to_string())

    if args.figure:
        draw(jobs, models, args.figure, held_out if args.held_out else None)


def draw(jobs: pd.DataFrame, models: pd.DataFrame, path: Path, held_out: pd.DataFrame | None = None) -> None:
    """Seconds per outer repeat against pairs: fitted jobs (dots), the model (lines), held-out jobs (circles)."""
    from matplotlib.figure import Figure

    from pancan.figures.style import colour

    figure = Figure(figsize=(6.5, 3.2), dpi=150, layout="constrained")
    axis = figure.subplots()
    for representation, group in jobs.groupby("representation"):
        if representation not in models.index:
            continue
        model = models.loc[representation]
        axis.scatter(group["pairs"], group["seconds"] / group["repeats"], color=colour(representation), s=14)
        low, high = group["pairs"].min(), group["pairs"].max()
        if held_out is not None:
            other = held_out[held_out["representation"] == representation]
            axis.scatter(
                other["pairs"],
                other["seconds"] / other["repeats"],
                facecolors="none",
                edgecolors=colour(representation),
                s=14,
                linewidths=0.8,
            )
            low, high = min(low, other["pairs"].min()), max(high, other["pairs"].max())
        grid = np.geomspace(low, high, 40)
        axis.plot(
            grid,
            cost(seconds_model(model), grid),
            color=colour(representation),
            label=f"{representation} (pairs^{model['seconds_exponent']:.2f})",
        )
    axis.set(
        xscale="log",
        yscale="log",
        xlabel="comparable OS pairs in the cohort",
        ylabel="job seconds per outer repeat",
        title="fitted jobs (dots) and the model; held-out jobs (circles)" if held_out is not None else None,
    )
    axis.title.set_fontsize(8)
    axis.legend(fontsize=7, frameon=False, loc="upper left")
    figure.savefig(path)


if __name__ == "__main__":
    main()
