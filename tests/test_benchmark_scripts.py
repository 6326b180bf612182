"""The benchmark scripts that docs/benchmarks.md quotes read a run's files as documented."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_job(run: Path, job: str, wall: float, log_lines: list[str]) -> None:
    (run / "benchmarks" / "benchmark").mkdir(parents=True, exist_ok=True)
    (run / "logs" / "benchmark").mkdir(parents=True, exist_ok=True)
    (run / "benchmarks" / "benchmark" / f"{job}.tsv").write_text(
        "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
        f"{wall}\t0:00:05\t180.51\t411.75\t126.88\t147.19\t0.00\t0.00\t62.72\t1.95\n"
    )
    (run / "logs" / "benchmark" / f"{job}.log").write_text("\n".join(log_lines) + "\n")


def write_two_jobs(run: Path) -> None:
    write_job(
        run,
        "evaluate_representation_LUAD_netnorm_2",
        5.0,
        [
            "2026-12-03 14:45:31,905 INFO pancan: LUAD netnorm repeat 2: 472 patients, 5 outer folds, grid ...",
            "2026-12-03 14:45:32,305 INFO pancan.benchmark.nested_cv: netnorm: grid value 1/2 {'representation__k': 10}"
            " done for 5 outer folds in 0.4 s",
            "2026-12-03 14:45:32,905 INFO pancan.benchmark.nested_cv: netnorm: grid value 2/2 {'representation__k': 30}"
            " done for 5 outer folds in 0.6 s",
            "2026-12-03 14:45:33,155 INFO pancan: mean Harrell's C 0.498 over 5 folds",
        ],
    )
    write_job(
        run,
        "evaluate_representation_LUAD_raw_network_0",
        2.5,
        [
            "2026-12-03 14:46:00,000 INFO pancan: LUAD raw_network repeat 0: 472 patients",
            "2026-12-03 14:46:01,000 INFO pancan: mean Harrell's C 0.5 over 5 folds",
        ],
    )


def test_evaluation_startup_splits_a_jobs_wall_time(tmp_path):
    """Start-up is the wall time outside the log's first and last line; inner CV sums the grid-value lines."""
    script = load_script("evaluation_startup")
    write_two_jobs(tmp_path)
    jobs = script.job_seconds(tmp_path).set_index("representation")
    assert jobs.loc["netnorm", ["cancer", "repeat"]].tolist() == ["LUAD", "2"]
    assert jobs.loc["netnorm", "logged"] == pytest.approx(1.25)
    assert jobs.loc["netnorm", "start_up"] == pytest.approx(3.75)
    assert jobs.loc["netnorm", "inner_cv"] == pytest.approx(1.0)
    assert jobs.loc["raw_network", "start_up"] == pytest.approx(1.5)  # an underscore in the name
    assert jobs.loc["raw_network", "inner_cv"] == 0


def test_evaluation_startup_table_sums_per_representation_and_in_all(tmp_path, capsys, monkeypatch):
    script = load_script("evaluation_startup")
    write_two_jobs(tmp_path)
    table = script.per_representation(script.job_seconds(tmp_path))
    assert table.loc["all", ["jobs", "wall", "start_up", "inner_cv"]].tolist() == pytest.approx([2, 7.5, 5.25, 1.0])
    assert table.loc["all", "start_up_per_job"] == pytest.approx(2.625)
    assert table.loc["netnorm", "start_up_per_job"] == pytest.approx(3.75)
    monkeypatch.setattr("sys.argv", ["evaluation_startup.py", str(tmp_path)])
    script.main()
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split("|")[1].strip() == "representation"
    assert [cell.strip() for cell in printed[-1].split("|")[1:-1]] == ["all", "2", "7.5", "5.25", "1", "2.62"]


def test_evaluation_startup_names_an_unfinished_job(tmp_path):
    script = load_script("evaluation_startup")
    write_job(tmp_path, "evaluate_representation_BRCA_nsqn_1", 5.0, ["2026-12-03 14:45:31,905 INFO pancan: started"])
    with pytest.raises(SystemExit, match="evaluate_representation_BRCA_nsqn_1.log: missing, or fewer than two"):
        script.job_seconds(tmp_path)
    (tmp_path / "logs" / "benchmark" / "evaluate_representation_BRCA_nsqn_1.log").unlink()
    with pytest.raises(SystemExit, match="evaluate_representation_BRCA_nsqn_1.log: missing"):
        script.job_seconds(tmp_path)
    with pytest.raises(SystemExit, match="no benchmarks/benchmark"):
        script.job_seconds(tmp_path / "empty")


def test_fold_comparison_lists_moved_folds_that_are_not_near_ties():
    compare = load_script("compare_fold_tables")
    import pandas as pd

    base = {"cancer": "OV", "representation": "netnorm", "repeat": 0, "penalty_index": 1, "parameter_value": 100}
    old = pd.DataFrame([{**base, "fold": f, "harrell_c": c} for f, c in enumerate([0.60, 0.55, 0.52])])
    new = pd.DataFrame(
        [
            {**base, "fold": 0, "harrell_c": 0.6004, "inner_margin": 0.02},  # moved less than the tolerance
            {**base, "fold": 1, "harrell_c": 0.57, "inner_margin": 0.0004},  # moved, a near tie
            {**base, "fold": 2, "harrell_c": 0.50, "inner_margin": 0.01},  # moved without one
        ]
    )
    table = compare.compare(old, new, 0.001).set_index("representation")
    assert table.loc["netnorm", ["folds", "C moved >= 0.001", "of which near ties"]].tolist() == [3, 2, 1]
    assert table.loc["netnorm", "max |C difference|"] == 0.02
    rest = compare.unexplained(old, new, 0.001)
    assert rest["fold"].tolist() == [2] and rest["harrell_c_new"].tolist() == [0.50]


def test_scale_counts_comparable_pairs_as_a_plain_double_loop():
    scale = load_script("scale")
    rng = np.random.default_rng(3)
    time = rng.integers(1, 40, size=200).astype(float)  # many ties in time
    event = rng.random(200) < 0.4
    plain = sum(1 for i in range(200) if event[i] for j in range(200) if time[j] > time[i])
    assert scale.comparable_pairs(time, event) == plain


def test_scale_cost_model_recovers_a_known_cost_and_predicts_left_out_jobs():
    scale = load_script("scale")
    pairs = np.geomspace(500, 150_000, 12)
    seconds = 2.0 + 1e-3 * pairs**1.2
    s0, c, a = scale.fit_cost(pairs, seconds)
    assert (s0, c, a) == pytest.approx((2.0, 1e-3, 1.2), rel=1e-3)
    errors = scale.leave_one_out(pairs, seconds, scale.fit_cost, scale.cost)
    assert np.abs(errors).max() < 1e-3


def test_solver_replay_records_every_nth_path_and_solves_it_again(tmp_path, monkeypatch, capsys):
    """`record` keeps every N-th solve_path call of a job; `replay` solves those problems again, same objectives."""
    import runpy

    import scipy.sparse as sp
    from sksurv.util import Surv

    from pancan.models.pairs import comparable_pairs
    from pancan.models.ranking_svm_solver import PairProblem, solve_path
    from pancan.models.survival_svm import SparseSurvivalSVM

    rng = np.random.default_rng(3)
    problems = []
    for n in (50, 60, 70):  # three paths of a stand-in job, on three training sets
        X = sp.csr_matrix((rng.random((n, 30)) < 0.2).astype(float))
        event, time = rng.random(n) < 0.6, rng.integers(1, 3000, n).astype(float)
        problems.append((X, Surv.from_arrays(event, time), [0.05, 0.02, 0.01]))

    def job(path, run_name):  # stands in for evaluation_job.py: fits through SparseSurvivalSVM.path
        for X, y, alphas in problems:
            SparseSurvivalSVM().path(X, y, alphas)

    replay = load_script("solver_replay")
    monkeypatch.setattr(runpy, "run_path", job)
    recorded = tmp_path / "paths.pkl"
    replay.record(recorded, 2, ["LUAD", "netnorm"])
    assert "1 of 3 paths recorded" in capsys.readouterr().out
    replay.replay(recorded, REPO / "src", 1, tmp_path / "objectives.npy")
    assert "1 paths, 3 solves" in capsys.readouterr().out
    X, y, alphas = problems[1]  # the second call is the one kept
    _, infos = solve_path(PairProblem(X, *comparable_pairs(y["event"], y["time"])), alphas)
    np.testing.assert_allclose(np.load(tmp_path / "objectives.npy"), [info.objective for info in infos], rtol=1e-12)
